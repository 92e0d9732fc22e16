from celery import shared_task

from insights.rollups import rollups_refresh


@shared_task(name="insights.tasks.refresh_rollups")
def refresh_rollups(days: int = 2) -> int:
    """Beat runs this every few minutes for the recent days and nightly for 90 days
    (mentions transferred between departments move their older counts)."""
    return rollups_refresh(days=days).rows


@shared_task(name="insights.tasks.refresh_snapshots")
def refresh_snapshots() -> int:
    """Beat runs this every 10 minutes: the preset dashboards, precomputed."""
    from insights.snapshots import snapshots_refresh

    return snapshots_refresh()
