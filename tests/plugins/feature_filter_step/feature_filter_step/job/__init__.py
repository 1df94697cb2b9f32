"""FeatureFilter's job script."""
