"""Task submission: GET /v0.10/submission_id, POST /v0.10/transfer and /v0.10/delete."""

from __future__ import annotations

import typing as t
import uuid

from ..state import AccessToken
from .handler import TransferHandler
from .tasks import SYNC_LEVELS, Task

ITEM_TYPES = ("transfer_item", "transfer_symlink_item")


class SubmissionIdHandler(TransferHandler):
    def get(self) -> None:
        self.caller()
        self.write_json({"DATA_TYPE": "submission_id", "value": str(uuid.uuid1())})


class SubmitHandler(TransferHandler):
    """Shared checks of transfer and delete submissions."""

    kind = "transfer"

    def submission_id(self, body: dict[str, t.Any]) -> str:
        value = body.get("submission_id")
        if not isinstance(value, str) or not value:
            self.api_error(
                400,
                "ClientError.BadRequest",
                "A submission_id is required; get one from GET /submission_id",
            )
        return value

    def duplicate(self, submission_id: str, token: AccessToken) -> Task | None:
        task_id = self.transfer.submissions.get(submission_id)
        if task_id is None:
            return None
        task = self.transfer.tasks.get(task_id)
        if task is None or task.owner_id not in self.transfer.identity_ids(
            token.identity_id
        ):
            self.api_error(
                409,
                "Conflict",
                f"submission_id {submission_id} was already used by another user",
            )
        return task

    def flag(self, body: dict[str, t.Any], name: str) -> bool:
        value = body.get(name)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.api_error(
                400,
                "ClientError.BadRequest",
                f"{name} must be true or false, not {value!r}",
            )
        return value

    def accepted(self, task: Task, *, duplicate: bool) -> None:
        result_type = f"{self.kind}_result"
        if duplicate:
            code = "Duplicate"
            message = (
                f"A {self.kind} with submission_id {task.submission_id} was already "
                f"submitted as task {task.task_id}"
            )
        else:
            code = "Accepted"
            message = (
                f"The {self.kind} has been accepted and a task has been created "
                "and queued for execution"
            )
        self.write_json(
            {
                "DATA_TYPE": result_type,
                "code": code,
                "message": message,
                "request_id": self.request_id,
                "resource": f"/{self.kind}",
                "submission_id": task.submission_id,
                "task_id": task.task_id,
                "task_link": {
                    "DATA_TYPE": "link",
                    "href": f"task/{task.task_id}?format=json",
                    "rel": "related",
                    "resource": "task",
                    "title": "related task",
                },
            },
            200 if duplicate else 202,
        )


class TransferSubmitHandler(SubmitHandler):
    kind = "transfer"

    def post(self) -> None:
        token = self.caller()
        body = self.body_json()
        self.check_data_type(body, "transfer")
        submission_id = self.submission_id(body)
        original = self.duplicate(submission_id, token)
        if original is not None:
            self.accepted(original, duplicate=True)
            return

        for field in ("source_endpoint", "destination_endpoint"):
            if not body.get(field):
                self.api_error(400, "ClientError.BadRequest", f"Missing {field}")
        source = self.usable_collection(str(body["source_endpoint"]), token)
        destination = self.usable_collection(str(body["destination_endpoint"]), token)
        items = self.items(body)
        task = self.transfer.new_task(
            type="TRANSFER",
            owner_id=token.identity_id,
            submission_id=submission_id,
            source_endpoint_id=source.id,
            destination_endpoint_id=destination.id,
            items=items,
            label=self.label(body),
            deadline=self.deadline(body),
            sync_level=self.sync_level(body),
            verify_checksum=self.flag(body, "verify_checksum"),
            preserve_timestamp=self.flag(body, "preserve_timestamp"),
            encrypt_data=self.flag(body, "encrypt_data"),
            delete_destination_extra=self.flag(body, "delete_destination_extra"),
            skip_source_errors=self.flag(body, "skip_source_errors"),
            fail_on_quota_errors=self.flag(body, "fail_on_quota_errors"),
            filter_rules=self.filter_rules(body),
        )
        self.accepted(task, duplicate=False)

    def items(self, body: dict[str, t.Any]) -> list[dict[str, t.Any]]:
        data = body.get("DATA")
        if not isinstance(data, list) or not data:
            self.api_error(
                400,
                "ClientError.BadRequest.NoTransferItems",
                "A transfer requires at least one item",
            )
        items = []
        for number, item in enumerate(data):
            if not isinstance(item, dict) or item.get("DATA_TYPE") not in ITEM_TYPES:
                self.api_error(
                    400,
                    "ClientError.BadRequest",
                    f"DATA[{number}] must be an object with DATA_TYPE 'transfer_item'",
                )
            for field in ("source_path", "destination_path"):
                if not isinstance(item.get(field), str) or not item[field]:
                    self.api_error(
                        400,
                        "ClientError.BadRequest",
                        f"DATA[{number}] is missing {field}",
                    )
            items.append(
                {
                    "DATA_TYPE": item["DATA_TYPE"],
                    "source_path": item["source_path"],
                    "destination_path": item["destination_path"],
                    "recursive": bool(item.get("recursive", False)),
                }
            )
        return items

    def filter_rules(self, body: dict[str, t.Any]) -> list[dict[str, t.Any]] | None:
        rules = body.get("filter_rules")
        if rules is None:
            return None
        if not isinstance(rules, list):
            self.api_error(
                400, "ClientError.BadRequest", "filter_rules must be a list of rules"
            )
        checked = []
        for number, rule in enumerate(rules):
            valid = (
                isinstance(rule, dict)
                and rule.get("DATA_TYPE", "filter_rule") == "filter_rule"
                and rule.get("method") in ("include", "exclude")
                and isinstance(rule.get("name"), str)
                and rule.get("type") in (None, "file", "dir")
            )
            if not valid:
                self.api_error(
                    400,
                    "ClientError.BadRequest",
                    f"filter_rules[{number}] is invalid: use {{'DATA_TYPE': "
                    "'filter_rule', 'method': 'include' or 'exclude', 'name': a glob, "
                    "'type': 'file', 'dir' or null}",
                )
            checked.append(
                {
                    "DATA_TYPE": "filter_rule",
                    "method": rule["method"],
                    "name": rule["name"],
                    "type": rule.get("type"),
                }
            )
        return checked

    def sync_level(self, body: dict[str, t.Any]) -> int | None:
        value = body.get("sync_level")
        if value is None:
            return None
        if isinstance(value, str) and value in SYNC_LEVELS:
            return SYNC_LEVELS[value]
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 3:
            return value
        self.api_error(
            400,
            "ClientError.BadRequest",
            f"Invalid sync_level {value!r}; use 0-3 or one of {', '.join(SYNC_LEVELS)}",
        )


class DeleteSubmitHandler(SubmitHandler):
    kind = "delete"

    def post(self) -> None:
        token = self.caller()
        body = self.body_json()
        self.check_data_type(body, "delete")
        submission_id = self.submission_id(body)
        original = self.duplicate(submission_id, token)
        if original is not None:
            self.accepted(original, duplicate=True)
            return

        if not body.get("endpoint"):
            self.api_error(400, "ClientError.BadRequest", "Missing endpoint")
        collection = self.usable_collection(str(body["endpoint"]), token)
        data = body.get("DATA")
        if not isinstance(data, list) or not data:
            self.api_error(
                400,
                "ClientError.BadRequest.NoDeleteItems",
                "A delete requires at least one item",
            )
        items = []
        for number, item in enumerate(data):
            if (
                not isinstance(item, dict)
                or item.get("DATA_TYPE") != "delete_item"
                or not isinstance(item.get("path"), str)
                or not item["path"]
            ):
                self.api_error(
                    400,
                    "ClientError.BadRequest",
                    f"DATA[{number}] must be an object with DATA_TYPE 'delete_item' "
                    "and a path",
                )
            items.append({"DATA_TYPE": "delete_item", "path": item["path"]})
        task = self.transfer.new_task(
            type="DELETE",
            owner_id=token.identity_id,
            submission_id=submission_id,
            source_endpoint_id=collection.id,
            destination_endpoint_id=None,
            items=items,
            label=self.label(body),
            deadline=self.deadline(body),
            recursive=self.flag(body, "recursive"),
            ignore_missing=self.flag(body, "ignore_missing"),
        )
        self.accepted(task, duplicate=False)
