"""The pipeline library: step types, graph, compiling, designs and deploy.

Never imports Streamlit. See docs/architecture.md for where things live.
"""
