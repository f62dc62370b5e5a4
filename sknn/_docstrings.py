"""Parameter documentation shared by both estimators (kept in one place)."""

COMMON_PARAMETERS = """
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The ith element is the number of units of the ith hidden layer.

    activation : str, Activation or tuple of them, default='relu'
        Hidden-layer activation, one for all hidden layers or one per layer:
        'identity', 'logistic' (alias 'sigmoid'), 'tanh', 'relu',
        'leaky_relu', 'elu', 'selu', 'softplus', 'silu' (alias 'swish'),
        'relu6', 'mish', 'gelu', or an :class:`sknn.core.Activation`
        instance such as ``LeakyReLU(slope=0.1)``.

    solver : {'lbfgs', 'sgd', 'adam', 'rmsprop', 'adagrad', 'adamw'}, \
default='adam'
        'sgd' is mini-batch gradient descent with (Nesterov) momentum,
        'adam' is Adam, 'rmsprop' RMSprop (``rho``), 'adagrad' AdaGrad,
        'adamw' Adam with decoupled weight decay (``weight_decay``), 'lbfgs'
        full-batch L-BFGS-B through SciPy.

    alpha : float, default=0.0001
        L2 penalty strength: the cost gains ``alpha / (2 n) * sum(W**2)``
        over all weights (biases excluded), ``n`` the (weighted) number of
        samples in the batch -- scikit-learn's scaling.

    batch_size : int or 'auto', default='auto'
        Mini-batch size; 'auto' is ``min(200, n_samples)``. ``n_samples``
        gives full-batch gradient descent, 1 per-sample updates.

    learning_rate : {'constant', 'invscaling', 'adaptive'} or schedule, \
default='constant'
        The strings are scikit-learn's schedules for ``solver='sgd'`` (other
        solvers then use a constant rate): 'invscaling' uses
        ``learning_rate_init / (t + 1) ** power_t`` with ``t`` the samples
        seen; 'adaptive' divides the rate by 5 whenever the stopping rule
        fires, and stops once it is below 1e-6. A schedule object of
        :mod:`sknn.core.lr_schedules` (e.g. ``CosineAnnealingLR()``,
        ``OneCycleLR(max_lr=0.01)``) drives the rate of any stochastic
        solver, per epoch or per batch as its ``unit`` says, starting from
        ``learning_rate_init``; its parameters are searchable as
        ``learning_rate__<name>``. The name of a schedule in
        ``SCHEDULE_CLASSES`` whose parameters all have defaults (e.g.
        'cosine_annealing', 'one_cycle', 'reduce_on_plateau') stands for that
        schedule with its defaults, so a grid can list names.

    learning_rate_init : float, default=0.001
        Initial learning rate (step size) of 'sgd' and 'adam'.

    power_t : float, default=0.5
        Exponent of 'invscaling'.

    max_iter : int, default=200
        Maximum number of epochs (stochastic solvers) or iterations (lbfgs).

    shuffle : bool, default=True
        Reshuffle the samples every epoch (stochastic solvers).

    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, shuffling, dropout and the validation split.

    tol : float, default=1e-4
        Improvement below which an epoch counts as "no improvement".

    verbose : bool or int, default=False
        Any true value prints scikit-learn's lines to standard output: the
        loss of each epoch, the validation score with early stopping, and
        the stopping rule's messages ('lbfgs' prints nothing, as
        scikit-learn's with SciPy >= 1.15).

    progress_bar : bool, default=False
        Draw a progress bar over epochs and batches on standard error (loss,
        ETA) and a summary line at the end. On a terminal the bar is redrawn
        in place at most ten times a second; redirected to a file it writes a
        plain line at most every ten seconds (no carriage returns).

    warm_start : bool, default=False
        Reuse the previous solution as initialisation on the next ``fit``.

    momentum : float, default=0.9
        Momentum of 'sgd', in [0, 1].

    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with 'sgd' and ``momentum > 0``.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data, stop when its score
        stops improving, and restore the best epoch's weights.

    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping.

    early_stopping_scoring : str, callable or None, default=None
        What early stopping (and ``validation_scores_``) measures on the
        validation data: None is the estimator's ``score`` (accuracy / R²,
        scikit-learn's choice), 'loss' the negated validation cost, any other
        string or callable a scikit-learn scorer.

    beta_1 : float, default=0.9
        Decay of Adam's first-moment estimate, in [0, 1).

    beta_2 : float, default=0.999
        Decay of Adam's second-moment estimate, in [0, 1).

    epsilon : float, default=1e-8
        Numerical-stability constant of Adam.

    n_iter_no_change : int, default=10
        Epochs without improvement by ``tol`` that stop training.

    max_fun : int, default=15000
        Maximum number of cost evaluations of 'lbfgs'.
"""

EXTRA_PARAMETERS = """
    init : str or tuple of str, default='sklearn'
        Weight initialiser, one for all layers or one per hidden layer.
        'sklearn' is scikit-learn's scheme, drawn in its order from the same
        random stream, so a ported fit gives the same model: every layer's
        weights and then biases from U(-b, b), ``b = sqrt(6 / (fan_in +
        fan_out))`` (``sqrt(2 / ...)`` when ``activation='logistic'``).
        Also 'zeros', 'normal', 'small_normal', 'normal_sqrt_fan_in',
        'uniform_fan_in', 'glorot_normal', 'glorot_uniform', 'he_normal',
        'he_uniform', 'lecun_normal', or 'auto', which picks per activation:
        He for the ReLU family, Glorot for sigmoid/tanh, LeCun normal for
        SELU ('auto' pays off in deep ReLU/SELU networks). One name applies
        to the output layer too; with one per hidden layer the output layer
        uses 'auto' (Glorot). Weights are drawn in float64 and cast, so a
        float32 fit starts from the float64 fit's weights.

    bias_init : float or None, default=None
        Constant initial value of every bias (e.g. 0.01 for ReLU units).
        None draws the biases with ``init='sklearn'`` (as scikit-learn does)
        and sets them to zero with any other ``init``.

    l1 : float, default=0.0
        L1 penalty strength: the cost gains ``l1 / n * sum(|W|)``; gives
        sparse weights.

    dropout : float or tuple of float, default=0.0
        Inverted-dropout drop probability for each hidden layer's output
        (one value or one per layer), applied in training only.

    batch_norm : bool or tuple of bool, default=False
        Batch normalisation of each hidden layer (one value or one per
        layer): batch statistics in training, running averages
        (``batch_norm_momentum``) at prediction, learned scale and shift.

    layer_norm : bool or tuple of bool, default=False
        Layer normalisation (over the units of each sample) of each hidden
        layer; not together with ``batch_norm`` on the same layer.

    norm_position : {'before', 'after'}, default='before'
        Normalise the pre-activation (before the activation, as in the
        batch-norm paper) or the activation's output.

    batch_norm_momentum : float, default=0.1
        Weight of the current batch in batch norm's running averages.

    weight_norm : bool, default=False
        Weight normalisation ``W = g v / ||v||`` (per unit) of every layer;
        ``coefs_`` holds ``v``, the effective weights come from
        ``effective_coefs_``.

    input_noise : float, default=0.0
        Standard deviation of Gaussian noise added to the inputs in training.

    rho : float, default=0.9
        Decay of RMSprop's average of squared gradients.

    weight_decay : float, default=0.01
        Decoupled weight decay of 'adamw': each step multiplies the weights
        (not the biases) by ``1 - learning_rate * weight_decay``.

    clip_norm : float or None, default=None
        Rescale each mini-batch gradient to at most this global L2 norm.

    clip_value : float or None, default=None
        Clip each gradient entry to ``[-clip_value, clip_value]`` (applied
        before ``clip_norm``).
"""

FITTED_ATTRIBUTES = """
    loss_ : float
        The cost at the end of training (penalties included).

    best_loss_ : float or None
        Minimum training cost reached (None with ``early_stopping``).

    loss_curve_ : list of float
        Training cost at the end of each epoch (stochastic solvers).

    validation_scores_ : list of float or None
        Validation score after each epoch (with ``early_stopping``).

    best_validation_score_ : float or None
        Best validation score (with ``early_stopping``).

    t_ : int
        Number of training samples seen by the solver.

    coefs_ : list of ndarray
        Weight matrices; views into one contiguous parameter buffer.

    intercepts_ : list of ndarray
        Bias vectors; views into the same buffer.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names seen during fit, when ``X`` has string column names.

    n_iter_ : int
        Number of epochs (or L-BFGS iterations) run.

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of output units.

    out_activation_ : str
        Output activation: 'identity', 'logistic', 'softmax' or 'exp'.

    validation_loss_curve_ : list of float or None
        Validation cost after each epoch (with validation data).

    best_epoch_ : int or None
        The epoch (1-based) of the best training loss, or of the best
        validation score with ``early_stopping`` (whose weights are kept).

    learning_rate_curve_ : list of float
        Learning rate of each epoch (at its first batch).

    gradient_norm_curve_ : list of float
        Mean global gradient norm over each epoch's batches, before clipping.

    clipped_gradient_norm_curve_ : list of float
        The same after clipping (equal to it without clipping).

    layer_gradient_norms_ : ndarray of shape (n_epochs, `n_layers_` - 1)
        Mean norm of each weight matrix's gradient per epoch: vanishing
        gradients show as norms shrinking towards the input layer.

    dead_unit_fraction_ : list of float or None
        Per hidden layer, the share of ReLU/ReLU6 units that output 0 on every
        one of up to 1,000 training samples (None for other activations).
"""
