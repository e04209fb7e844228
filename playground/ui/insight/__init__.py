"""Views that look inside the network (placeholder until built)."""


def insight_views(session) -> list:
    """(tab title, widget) pairs shown beside the training plots."""
    return []
