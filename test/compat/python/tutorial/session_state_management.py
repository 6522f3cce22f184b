# session_state_management.py
from azure.servicebus import ServiceBusClient, NEXT_AVAILABLE_SESSION
import json
import os
from datetime import datetime

CONNECTION_STRING = os.getenv("AZURE_SERVICEBUS_CONNECTION_STRING")
QUEUE_NAME = "orders-per-customer"

class SessionStateManager:
    """Manage session state for order processing"""

    def __init__(self, receiver):
        self.receiver = receiver
        self.session_id = receiver.session_id
        self.state = self._load_state()

    def _load_state(self):
        """Load existing session state"""
        state_data = self.receiver.get_session_state()

        if state_data:
            return json.loads(state_data)
        else:
            # Initialize new state
            return {
                "session_id": self.session_id,
                "created_at": datetime.utcnow().isoformat(),
                "orders_processed": 0,
                "total_amount": 0,
                "items": [],
                "status": "processing"
            }

    def save_state(self):
        """Save current state"""
        self.state["updated_at"] = datetime.utcnow().isoformat()
        self.receiver.set_session_state(json.dumps(self.state))

    def process_order(self, order_data):
        """Process order and update state"""
        self.state["orders_processed"] += 1
        self.state["total_amount"] += order_data.get("amount", 0)
        self.state["items"].append(order_data.get("product"))

    def complete_session(self):
        """Mark session as complete"""
        self.state["status"] = "completed"
        self.state["completed_at"] = datetime.utcnow().isoformat()
        self.save_state()

def process_session_with_state():
    """Process session using state manager"""
    servicebus_client = ServiceBusClient.from_connection_string(
        conn_str=CONNECTION_STRING
    )

    with servicebus_client:
        receiver = servicebus_client.get_queue_receiver(
            queue_name=QUEUE_NAME,
            session_id=NEXT_AVAILABLE_SESSION,
            max_wait_time=10
        )

        with receiver:
            # Initialize state manager
            state_mgr = SessionStateManager(receiver)

            print(f"Processing session: {state_mgr.session_id}")
            print(f"Previous state: {state_mgr.state}")

            # Process messages
            messages = receiver.receive_messages(max_wait_time=5)

            for message in messages:
                body = json.loads(str(message))

                # Process and update state
                state_mgr.process_order(body)

                # Save state periodically
                state_mgr.save_state()

                # Complete message
                receiver.complete_message(message)

                print(f"Processed: {body['order_id']}")

            # Mark session complete
            state_mgr.complete_session()

            print(f"\nFinal state:")
            print(f"  Orders: {state_mgr.state['orders_processed']}")
            print(f"  Total: ${state_mgr.state['total_amount']}")
            print(f"  Items: {state_mgr.state['items']}")

if __name__ == "__main__":
    process_session_with_state()
