# parallel_session_workers.py
from azure.servicebus import ServiceBusClient, NEXT_AVAILABLE_SESSION
import json
import os
import time
import threading
from datetime import datetime

CONNECTION_STRING = os.getenv("AZURE_SERVICEBUS_CONNECTION_STRING")
QUEUE_NAME = "orders-per-customer"

def session_worker(worker_id, duration=30):
    """Worker that processes sessions for specified duration"""
    servicebus_client = ServiceBusClient.from_connection_string(
        conn_str=CONNECTION_STRING
    )

    start_time = time.time()
    sessions_processed = 0

    print(f"[Worker {worker_id}] Started")

    while time.time() - start_time < duration:
        try:
            with servicebus_client:
                receiver = servicebus_client.get_queue_receiver(
                    queue_name=QUEUE_NAME,
                    session_id=NEXT_AVAILABLE_SESSION,
                    max_wait_time=5
                )

                with receiver:
                    session_id = receiver.session_id
                    print(f"[Worker {worker_id}] Processing session: {session_id}")

                    messages = receiver.receive_messages(max_wait_time=5)
                    message_count = 0

                    for message in messages:
                        body = json.loads(str(message))
                        # Simulate processing
                        time.sleep(0.5)
                        receiver.complete_message(message)
                        message_count += 1

                    sessions_processed += 1
                    print(f"[Worker {worker_id}] ✓ Session {session_id} complete ({message_count} messages)")

        except Exception as e:
            # No sessions available
            time.sleep(1)

    print(f"[Worker {worker_id}] Finished - processed {sessions_processed} sessions")

def run_parallel_workers(num_workers=3, duration=30):
    """Run multiple session workers in parallel"""
    print(f"Starting {num_workers} parallel workers for {duration} seconds...\n")

    threads = []

    for i in range(num_workers):
        thread = threading.Thread(
            target=session_worker,
            args=(i+1, duration)
        )
        thread.start()
        threads.append(thread)

    # Wait for all workers to complete
    for thread in threads:
        thread.join()

    print("\nAll workers finished")

if __name__ == "__main__":
    run_parallel_workers(num_workers=3, duration=30)
