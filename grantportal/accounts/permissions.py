def can_register_account(user):
    """Anyone not signed in may open an organization account."""
    return not getattr(user, "is_authenticated", False)
