"""Tests of :mod:`sknn.core.lr_schedules`, one file per module.

Each ``ref_*`` function writes out the published formula it names (PyTorch's
``torch.optim.lr_scheduler``, Keras, the papers), without calling the class
under test; several use PyTorch's recursive ("chainable") ``get_lr`` form
rather than the closed form, so that they are a genuinely different
computation. Literal numbers were worked out by hand.
"""
