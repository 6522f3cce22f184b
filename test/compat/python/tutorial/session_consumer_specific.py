# session_consumer_specific.py
from azure.servicebus import ServiceBusClient
import json
import os
import time

CONNECTION_STRING = os.getenv("AZURE_SERVICEBUS_CONNECTION_STRING")
QUEUE_NAME = "orders-per-customer"

def process_customer_session(customer_id):
    """Process all orders for a specific customer (session)"""
    servicebus_client = ServiceBusClient.from_connection_string(
        conn_str=CONNECTION_STRING
    )

    print(f"\n=== Processing Session: {customer_id} ===")

    with servicebus_client:
        # Get receiver for specific session
        receiver = servicebus_client.get_queue_receiver(
            queue_name=QUEUE_NAME,
            session_id=customer_id,  # Specify exact session
            max_wait_time=5
        )

        with receiver:
            print(f"Locked session: {receiver.session_id}")

            # Get session state
            session_state = receiver.get_session_state()
            if session_state:
                state_data = json.loads(session_state)
                print(f"Session state: {state_data}")
            else:
                print("No previous session state")

            # Process all messages in session
            messages = receiver.receive_messages(max_wait_time=5)

            total_amount = 0
            order_count = 0

            for message in messages:
                body = json.loads(str(message))
                props = message.application_properties

                print(f"\n  Order #{props['order_sequence']}")
                print(f"    Order ID: {body['order_id']}")
                print(f"    Product: {body['product']}")
                print(f"    Amount: ${body['amount']}")

                # Process order
                process_order(body)

                # Update totals
                total_amount += body['amount']
                order_count += 1

                # Complete message
                receiver.complete_message(message)

            # Save session state
            session_state_data = {
                "total_amount": total_amount,
                "order_count": order_count,
                "last_processed": datetime.utcnow().isoformat()
            }

            receiver.set_session_state(json.dumps(session_state_data))
            print(f"\n✓ Session complete:")
            print(f"  Orders processed: {order_count}")
            print(f"  Total amount: ${total_amount}")

def process_order(order_data):
    """Simulate order processing"""
    time.sleep(0.1)  # Simulate work

if __name__ == "__main__":
    # Process specific customer's orders
    process_customer_session("customer-1")
