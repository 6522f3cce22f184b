# session_consumer_next.py
from azure.servicebus import ServiceBusClient, NEXT_AVAILABLE_SESSION
import json
import os
import time

CONNECTION_STRING = os.getenv("AZURE_SERVICEBUS_CONNECTION_STRING")
QUEUE_NAME = "orders-per-customer"

def process_next_available_session():
    """Process next available session (any customer)"""
    servicebus_client = ServiceBusClient.from_connection_string(
        conn_str=CONNECTION_STRING
    )

    print("Waiting for next available session...")

    with servicebus_client:
        # Accept next available session
        receiver = servicebus_client.get_queue_receiver(
            queue_name=QUEUE_NAME,
            session_id=NEXT_AVAILABLE_SESSION,  # Get any available session
            max_wait_time=10
        )

        with receiver:
            session_id = receiver.session_id
            print(f"\n=== Accepted Session: {session_id} ===")

            # Process messages
            messages = receiver.receive_messages(max_wait_time=5)

            for message in messages:
                body = json.loads(str(message))
                print(f"  Processing: {body['order_id']}")
                receiver.complete_message(message)

            print(f"✓ Session {session_id} complete")

def continuous_session_processor():
    """Continuously process sessions as they become available"""
    servicebus_client = ServiceBusClient.from_connection_string(
        conn_str=CONNECTION_STRING
    )

    print("Starting continuous session processor (Ctrl+C to stop)...")
    print("Will process sessions as they become available\n")

    try:
        while True:
            try:
                with servicebus_client:
                    receiver = servicebus_client.get_queue_receiver(
                        queue_name=QUEUE_NAME,
                        session_id=NEXT_AVAILABLE_SESSION,
                        max_wait_time=5
                    )

                    with receiver:
                        session_id = receiver.session_id
                        print(f"\n📦 Processing session: {session_id}")

                        messages = receiver.receive_messages(max_wait_time=5)

                        for message in messages:
                            body = json.loads(str(message))
                            print(f"  ✓ {body['order_id']}")
                            receiver.complete_message(message)

                        print(f"✓ Completed session: {session_id}")

            except Exception as e:
                print(f"No sessions available, waiting...")
                time.sleep(2)

    except KeyboardInterrupt:
        print("\nStopped processor")

if __name__ == "__main__":
    # Process one session
    # process_next_available_session()

    # Or run continuous processor
    continuous_session_processor()
