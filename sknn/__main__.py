"""Demo: ``python -m sknn`` trains on the digits data set, beside scikit-learn.

The same arguments and ``random_state`` give scikit-learn's model: the demo
prints the largest difference between the two models' weights. A progress bar
on standard error shows the training (plain lines when redirected).
"""

import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier

ARGUMENTS = {"hidden_layer_sizes": (100,), "random_state": 0}


def _fit_and_score(model, X_train, X_test, y_train, y_test):
    pipe = make_pipeline(StandardScaler(), model)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    return pipe.score(X_test, y_test), seconds, pipe[-1].n_iter_


def _largest_difference(a, b):
    return max(
        float(np.abs(p - q).max())
        for p, q in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_)
    )


def main():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    print(
        f"digits: {X_train.shape[0]} training and {X_test.shape[0]} test images, "
        f"{X.shape[1]} pixels, 10 classes; StandardScaler -> MLP (100,) relu, adam"
    )
    print(f"both estimators get the same arguments: {ARGUMENTS}\n")
    ours_model = MLPClassifier(**ARGUMENTS, progress_bar=True)
    theirs_model = SklearnMLPClassifier(**ARGUMENTS)
    ours = _fit_and_score(ours_model, X_train, X_test, y_train, y_test)
    theirs = _fit_and_score(theirs_model, X_train, X_test, y_train, y_test)
    print(f"\n{'model':<38}{'test accuracy':>14}{'fit time (s)':>14}{'epochs':>8}")
    for name, (acc, seconds, epochs) in (
        ("sknn.MLPClassifier", ours),
        ("sklearn.neural_network.MLPClassifier", theirs),
    ):
        print(f"{name:<38}{acc:>14.4f}{seconds:>14.3f}{epochs:>8d}")
    print(
        "\nlargest difference between the two models' weights: "
        f"{_largest_difference(ours_model, theirs_model):.1e}"
    )


if __name__ == "__main__":
    main()
