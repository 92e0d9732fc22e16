def navigation(request):
    """Departments and unread notifications for the header; from the request's permission memo."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from spokes.models import Department
    from spokes.selectors import department_ids_for

    ids = department_ids_for(user)
    return {
        "nav_departments": list(
            Department.objects.filter(pk__in=ids).only("slug", "name").order_by("name")
        )
        if ids
        else [],
        "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
        # leads see Insights (administrators lead everywhere: they are central comms too)
        "nav_is_lead": bool(department_ids_for(user, "lead_queue")),
    }
