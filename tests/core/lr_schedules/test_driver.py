"""``ScheduleDriver`` (:mod:`sknn.core.lr_schedules.driver`): schedule objects
in the training loop."""

from sknn.core.lr_schedules import ScheduleDriver


class _Halving:
    """A minimal schedule: halves per step; records what it observes."""

    def __init__(self, unit="epoch"):
        self.unit = unit
        self.seen = []

    def __call__(self, step, base_lr, total=None):
        self.total = total
        return base_lr * 0.5**step

    def observe(self, metric):
        self.seen.append(metric)

    def reset(self):
        self.seen = []

    def validate(self):
        pass


def test_driver_steps_per_epoch():
    user = _Halving()
    driver = ScheduleDriver(user, 0.1)
    assert not driver.per_batch
    driver.start(n_epochs=5, n_batches=4)
    assert driver.rate == 0.1 and driver.schedule.total == 5
    driver.epoch_end(t=10, metric=0.7)
    assert driver.schedule.seen == [0.7]
    assert driver.rate == 0.05
    assert user.seen == []  # the caller's object is a copy, untouched
    assert driver.on_plateau() is False


def test_driver_steps_per_batch_with_the_run_length():
    driver = ScheduleDriver(_Halving(unit="batch"), 1.0)
    assert driver.per_batch
    driver.start(n_epochs=3, n_batches=4)
    assert driver.schedule.total == 12
    for _ in range(4):
        driver.batch_end()
    driver.epoch_end(t=40, metric=1.0)  # epochs do not step a batch schedule
    assert driver.rate == 0.5**4
