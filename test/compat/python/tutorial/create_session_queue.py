# create_session_queue.py
from azure.servicebus.management import (
    ServiceBusAdministrationClient,
    QueueProperties
)
import os

CONNECTION_STRING = os.getenv("AZURE_SERVICEBUS_CONNECTION_STRING")

def create_session_queue(queue_name):
    """Create a queue with sessions enabled"""
    admin_client = ServiceBusAdministrationClient.from_connection_string(
        CONNECTION_STRING
    )

    queue_properties = QueueProperties(
        requires_session=True,
        lock_duration="PT5M",  # 5 minutes lock duration
        max_delivery_count=10,
        default_message_time_to_live="P14D",  # 14 days
        enable_dead_lettering_on_message_expiration=True
    )

    try:
        queue = admin_client.create_queue(queue_name, queue=queue_properties)
        print(f"Created session queue: {queue.name}")
        print(f"  Requires session: {queue.requires_session}")
        print(f"  Lock duration: {queue.lock_duration}")
    except Exception as e:
        print(f"Queue already exists or error: {e}")

if __name__ == "__main__":
    create_session_queue("orders-per-customer")
