# session_producer.py
from azure.servicebus import ServiceBusClient, ServiceBusMessage
import json
import os
from datetime import datetime

CONNECTION_STRING = os.getenv("AZURE_SERVICEBUS_CONNECTION_STRING")
QUEUE_NAME = "orders-per-customer"

def send_customer_orders(customer_id, orders):
    """Send orders for a specific customer (same session)"""
    servicebus_client = ServiceBusClient.from_connection_string(
        conn_str=CONNECTION_STRING
    )

    with servicebus_client:
        sender = servicebus_client.get_queue_sender(queue_name=QUEUE_NAME)

        with sender:
            print(f"\nSending orders for session: {customer_id}")

            for i, order in enumerate(orders, 1):
                # Create message with session ID
                message = ServiceBusMessage(
                    body=json.dumps(order),
                    session_id=customer_id,  # All messages for this customer
                    message_id=f"{customer_id}-{order['order_id']}"
                )

                message.application_properties = {
                    "customer_id": customer_id,
                    "order_sequence": i,
                    "timestamp": datetime.utcnow().isoformat()
                }

                sender.send_messages(message)
                print(f"  ✓ Sent order {i}/{len(orders)}: {order['order_id']}")

def send_multiple_customer_orders():
    """Send orders for multiple customers"""
    # Customer 1 orders
    customer1_orders = [
        {"order_id": "ORD-001", "product": "Laptop", "amount": 1200},
        {"order_id": "ORD-002", "product": "Mouse", "amount": 25},
        {"order_id": "ORD-003", "product": "Keyboard", "amount": 75}
    ]

    # Customer 2 orders
    customer2_orders = [
        {"order_id": "ORD-004", "product": "Monitor", "amount": 400},
        {"order_id": "ORD-005", "product": "Webcam", "amount": 80}
    ]

    # Customer 3 orders
    customer3_orders = [
        {"order_id": "ORD-006", "product": "Headphones", "amount": 150},
        {"order_id": "ORD-007", "product": "Microphone", "amount": 100},
        {"order_id": "ORD-008", "product": "Speakers", "amount": 200},
        {"order_id": "ORD-009", "product": "Desk", "amount": 500}
    ]

    # Send orders for each customer
    send_customer_orders("customer-1", customer1_orders)
    send_customer_orders("customer-2", customer2_orders)
    send_customer_orders("customer-3", customer3_orders)

    print("\n✓ All orders sent")
    print("  - Each customer's orders will be processed in order")
    print("  - Different customers can be processed in parallel")

if __name__ == "__main__":
    send_multiple_customer_orders()
