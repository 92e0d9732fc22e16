def navigation(request):
    """Departments and unread notifications for the header; two small queries per page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from spokes.selectors import departments_for

    return {
        "nav_departments": list(departments_for(user).only("slug", "name")),
        "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
        "nav_is_lead": user.memberships.filter(role="lead").exists(),
    }
