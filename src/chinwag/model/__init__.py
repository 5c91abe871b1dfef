"""Wire models: Mattermost's JSON shapes, ids, errors, permission names. Imports nothing of ours."""
