"""The SMS jobs the worker runs."""

from django_tasks import task

from daftari.notifications import services


@task()
def deliver_sms(message_id: str) -> str:
    """Sends one stored message (at most once) and returns its status."""
    return services.deliver(message_id=message_id).status
