"""GitLab webhook payloads as GitLab's webhook documentation shows them ("Webhook events": push, tag,
merge request, issue, comment, pipeline), with the fields the plugin does not read left out and the
project set to the one the tests subscribe to."""

from __future__ import annotations

from typing import Any

PROJECT = {"id": 1, "name": "Gitlab Test", "description": "Aut reprehenderit ut est.",
           "web_url": "http://example.com/gitlabhq/gitlab-test", "avatar_url": None,
           "git_ssh_url": "git@example.com:gitlabhq/gitlab-test.git",
           "git_http_url": "http://example.com/gitlabhq/gitlab-test.git", "namespace": "GitlabHQ",
           "visibility_level": 20, "path_with_namespace": "gitlabhq/gitlab-test", "default_branch": "master"}

USER = {"id": 1, "name": "Administrator", "username": "root",
        "avatar_url": "http://www.gravatar.com/avatar/e64c7d89f26bd1972efa854d13d7dd61?s=40&d=identicon",
        "email": "admin@example.com"}

PUSH: dict[str, Any] = {
    "object_kind": "push", "event_name": "push",
    "before": "95790bf891e76fee5e1747ab589903a6a1f80f22", "after": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
    "ref": "refs/heads/master", "checkout_sha": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
    "user_id": 4, "user_name": "John Smith", "user_username": "jsmith", "user_email": "john@example.com",
    "project_id": 15, "project": PROJECT,
    "commits": [
        {"id": "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327",
         "message": "Update Catalan translation to e38cb41.\n\nSee https://gitlab.com/gitlab-org/gitlab for more information",
         "title": "Update Catalan translation to e38cb41.", "timestamp": "2011-12-12T14:27:31+02:00",
         "url": "http://example.com/mike/diaspora/commit/b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327",
         "author": {"name": "Jordi Mallach", "email": "jordi@softcatala.org"},
         "added": ["CHANGELOG"], "modified": ["app/controller/application.rb"], "removed": []},
        {"id": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7", "message": "fixed readme", "title": "fixed readme",
         "timestamp": "2012-01-03T23:36:29+02:00",
         "url": "http://example.com/mike/diaspora/commit/da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
         "author": {"name": "GitLab dev user", "email": "gitlabdev@dv6700.(none)"},
         "added": ["CHANGELOG"], "modified": ["app/controller/application.rb"], "removed": []}],
    "total_commits_count": 4,
}

TAG_PUSH: dict[str, Any] = {
    "object_kind": "tag_push", "event_name": "tag_push",
    "before": "0000000000000000000000000000000000000000", "after": "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7",
    "ref": "refs/tags/v1.0.0", "checkout_sha": "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7",
    "user_id": 1, "user_name": "John Smith", "user_username": "jsmith", "project_id": 1, "project": PROJECT,
    "commits": [], "total_commits_count": 0,
}

MERGE_REQUEST: dict[str, Any] = {
    "object_kind": "merge_request", "event_type": "merge_request", "user": USER, "project": PROJECT,
    "object_attributes": {
        "id": 99, "iid": 1, "target_branch": "master", "source_branch": "ms-viewport", "source_project_id": 14,
        "author_id": 51, "assignee_ids": [6], "title": "MS-Viewport", "created_at": "2013-12-03T17:23:34Z",
        "updated_at": "2013-12-03T17:23:34Z", "state": "opened", "merge_status": "unchecked", "target_project_id": 14,
        "description": "Please have a look, @gl_bob", "url": "http://example.com/diaspora/merge_requests/1",
        "work_in_progress": False, "draft": False, "action": "open"},
    "labels": [{"id": 206, "title": "API", "color": "#ffffff", "project_id": 14, "type": "ProjectLabel"}],
    "assignees": [{"id": 6, "name": "User1", "username": "user1",
                   "avatar_url": "http://www.gravatar.com/avatar/e64c7d89f26bd1972efa854d13d7dd61?s=40&d=identicon"}],
    "reviewers": [{"id": 7, "name": "Bob", "username": "gl_bob"}],
}

ISSUE: dict[str, Any] = {
    "object_kind": "issue", "event_type": "issue", "user": USER, "project": PROJECT,
    "object_attributes": {
        "id": 301, "iid": 23, "title": "New API: create/update/delete file", "author_id": 51,
        "assignee_ids": [51], "project_id": 14, "created_at": "2013-12-03T17:15:43Z",
        "updated_at": "2013-12-03T17:15:43Z", "description": "Create new API for manipulations with repository",
        "state": "opened", "confidential": False, "url": "http://example.com/diaspora/issues/23", "action": "open"},
    "assignees": [{"name": "User1", "username": "user1"}],
    "labels": [{"id": 206, "title": "API", "color": "#ffffff", "project_id": 14, "type": "ProjectLabel"}],
}

NOTE_ON_MERGE_REQUEST: dict[str, Any] = {
    "object_kind": "note", "event_type": "note", "user": USER, "project_id": 5, "project": PROJECT,
    "object_attributes": {
        "id": 1244, "note": "This MR needs work, @gl_bob.", "noteable_type": "MergeRequest", "author_id": 1,
        "created_at": "2015-05-17 18:21:36 UTC", "updated_at": "2015-05-17 18:21:36 UTC", "project_id": 5,
        "noteable_id": 7, "url": "http://example.com/gitlab-org/gitlab-test/merge_requests/1#note_1244"},
    "merge_request": {"id": 7, "iid": 1, "target_branch": "markdown", "source_branch": "master",
                      "title": "Tempora et eos debitis quae laborum et.", "state": "opened",
                      "description": "Et voluptas corrupti assumenda temporibus.", "labels": []},
}

PIPELINE_FAILED: dict[str, Any] = {
    "object_kind": "pipeline",
    "object_attributes": {"id": 31, "iid": 3, "ref": "master", "tag": False,
                          "sha": "bcbb5ec396a2c0f828686f14fac9b80b780504f2",
                          "before_sha": "bcbb5ec396a2c0f828686f14fac9b80b780504f2", "source": "merge_request_event",
                          "status": "failed", "stages": ["build", "test", "deploy"],
                          "created_at": "2016-08-12 15:23:28 UTC", "finished_at": "2016-08-12 15:26:29 UTC",
                          "duration": 63},
    "user": {"id": 1, "name": "Administrator", "username": "gl_bob", "email": "user_email@gitlab.com"},
    "project": PROJECT,
    "commit": {"id": "bcbb5ec396a2c0f828686f14fac9b80b780504f2", "message": "test\n", "title": "test",
               "timestamp": "2016-08-12T17:23:21+02:00",
               "url": "http://example.com/gitlab-org/gitlab-test/commit/bcbb5ec396a2c0f828686f14fac9b80b780504f2",
               "author": {"name": "User", "email": "user@gitlab.com"}},
}

RELEASE: dict[str, Any] = {
    "id": 1, "created_at": "2020-11-02 12:55:12 UTC", "description": "v1.1 has been released",
    "name": "v1.1", "released_at": "2020-11-02 12:55:12 UTC", "tag": "v1.1", "object_kind": "release",
    "project": PROJECT, "url": "https://example.com/gitlab-org/release-webhook-example/-/releases/v1.1",
    "action": "create",
    "assets": {"count": 5, "links": [], "sources": []},
    "commit": {"id": "ee0a3fb31ac16e11b9dbb596ad16d4af654d08f8", "message": "Release v1.1", "title": "Release v1.1",
               "timestamp": "2020-10-31T14:58:32+11:00",
               "url": "https://example.com/gitlab-org/release-webhook-example/-/commit/ee0a3fb31ac16e11b9dbb596ad16d4af654d08f8",
               "author": {"name": "Example User", "email": "user@example.com"}},
}
