"""AWS lookups the pages share, cached: the credential chain can probe the network
(instance metadata), so it is not asked again on every rerun."""

from __future__ import annotations

import streamlit as st


@st.cache_data(ttl=30, show_spinner="Looking for AWS credentials...")
def has_credentials(profile: str | None = None) -> bool:
    from builders.deploying.deploy import credentials_available

    return credentials_available(profile)


@st.cache_data(ttl=300, show_spinner=False)
def profiles() -> list[str]:
    import boto3

    return boto3.Session().available_profiles
