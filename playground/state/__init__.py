"""What the window knows about a network before it trains, in plain Python (no Qt).

``hints`` gives the advice a learner needs (what is unwise, not what is wrong);
``speed`` measures how fast this machine trains, for the epoch-time estimate.
"""
