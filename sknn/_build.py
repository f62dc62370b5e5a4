"""From an estimator's parameters to the core's objects.

``build_network`` turns ``hidden_layer_sizes``, the per-layer options and the
cost into a :class:`~sknn.core.Network` and its initialisers; ``new_state``
makes the optimiser and the learning-rate driver a stochastic fit carries
between epochs and calls. Nothing here trains or validates data.
"""

from ._params import (
    check_activation,
    check_dropout,
    check_init,
    hidden_sizes,
    normalization_per_layer,
    per_layer,
    schedule_from_name,
)
from .core import Network, TrainingState, get_activation, get_optimizer
from .core.initializers import SklearnUniform
from .core.lr_schedules import SCHEDULES, ScheduleDriver

__all__ = ["build_network", "network_spec", "new_state", "rate_driver"]


def build_network(est, n_features, n_outputs, dtype):
    """A new :class:`~sknn.core.Network` for ``est``'s parameters, and its
    initialisers."""
    spec, inits = network_spec(est, n_features, n_outputs, dtype)
    return Network(**spec), inits


def network_spec(est, n_features, n_outputs, dtype):
    """The :class:`~sknn.core.Network` arguments for ``est``'s parameters
    (plain values and objects that compare with ``==``: two equal specs give
    the same network) and the initialisers."""
    sizes = hidden_sizes(est.hidden_layer_sizes)
    n_hidden = len(sizes)
    activations = per_layer(est, "activation", n_hidden, check_activation)
    inits = per_layer(est, "init", n_hidden, check_init)
    if est.init == "sklearn":
        # scikit-learn's bound: factor 2 for logistic, for every layer.
        names = [getattr(a, "name", a) for a in activations]
        logistic = est.activation in ("logistic", "sigmoid") or (
            names and all(n in ("logistic", "sigmoid") for n in names)
        )
        inits = SklearnUniform(2.0 if logistic else 6.0)
    elif isinstance(est.init, str):
        inits = est.init  # one name covers the output layer too
    dropout = per_layer(est, "dropout", n_hidden, check_dropout)
    spec = dict(
        layer_sizes=[n_features, *sizes, n_outputs],
        activations=[get_activation(a) for a in activations],
        loss=est._make_loss(),
        dtype=dtype,
        dropout=dropout,
        normalization=normalization_per_layer(est, n_hidden),
        norm_position=est.norm_position,
        norm_momentum=est.batch_norm_momentum,
        weight_norm=est.weight_norm,
        input_noise=est.input_noise,
    )
    return spec, inits


def new_state(est, net):
    if est.solver == "lbfgs":
        return None  # L-BFGS keeps no state between calls
    adam = {"beta_1": est.beta_1, "beta_2": est.beta_2, "epsilon": est.epsilon}
    options = {
        "sgd": {"momentum": est.momentum, "nesterov": est.nesterovs_momentum},
        "adam": adam,
        "adamw": {
            **adam,
            "weight_decay": est.weight_decay,
            "n_decayed": net.n_weights,
        },
        "rmsprop": {"rho": est.rho, "epsilon": est.epsilon},
        "adagrad": {"epsilon": est.epsilon},
    }
    optimizer = get_optimizer(est.solver, **options[est.solver])
    optimizer.init(net.params)
    return TrainingState(optimizer, rate_driver(est), est.early_stopping)


def rate_driver(est):
    """The rate driver: a schedule object (or the name of one in
    ``SCHEDULE_CLASSES``, built with its defaults) for any solver;
    scikit-learn's strings (its semantics) for 'sgd' only, else a
    constant rate."""
    lr, name = est.learning_rate_init, est.learning_rate
    if not isinstance(name, str):
        return ScheduleDriver(name, lr)
    if name not in SCHEDULES:
        return ScheduleDriver(schedule_from_name(name), lr)
    if est.solver != "sgd":
        name = "constant"
    schedule = SCHEDULES[name](lr)
    if name == "invscaling":
        schedule.power_t = est.power_t
    return schedule
