"""The assistant: plans a pipeline topology from a goal and fills configs by question and
answer, with an Amazon Bedrock model when one is reachable and without one otherwise."""
