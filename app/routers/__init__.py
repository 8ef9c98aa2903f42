"""One router per audience: participant, projector, facilitator, api, and live (websockets)."""
