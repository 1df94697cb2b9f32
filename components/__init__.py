"""Reusable Streamlit pieces of the designer. Never imports the SageMaker SDK."""
