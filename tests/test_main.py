from sknn.__main__ import main


def test_demo_prints_the_comparison_and_the_same_model(capsys):
    """Also the accuracy of the defaults on digits (>= 0.95): the demo fits
    StandardScaler -> MLPClassifier(random_state=0) on a stratified 3:1 split."""
    main()
    captured = capsys.readouterr()
    out = captured.out
    assert "Iteration" not in out  # the progress goes to standard error
    assert "sknn.MLPClassifier" in out and "sklearn.neural_network.MLPClassifier" in out
    lines = out.strip().splitlines()
    ours, theirs = lines[-4].split(), lines[-3].split()
    assert float(ours[1]) >= 0.95
    assert ours[1] == theirs[1] and ours[3] == theirs[3]  # accuracy and epochs
    assert float(lines[-1].split()[-1]) < 1e-9  # the same weights
    # Captured standard error is no terminal: plain lines, no redraws.
    assert "\r" not in captured.err and "epochs in" in captured.err
