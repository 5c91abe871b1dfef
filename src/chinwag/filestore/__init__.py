"""File storage backends: local directory and S3-compatible object storage."""
