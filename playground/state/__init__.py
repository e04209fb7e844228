"""The window's state and rules in plain Python (no Qt), so they can be tested headless.

For example ``hints`` gives the advice a learner needs (what is unwise, not what is
wrong) and ``speed`` measures how fast this machine trains, for the epoch-time estimate.
"""
