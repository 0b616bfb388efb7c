#!/usr/bin/python3
"""Processes user data as cloud-init does on a VM, with cloud-init's own code, and prints what it finds as JSON.

Usage: cloud-init-process.py FILE

cloud-init's UserDataProcessor reads the user data (MIME multipart, archives, gzip, a single part); its
walker yields the parts in order; its cloud-config part handler merges the cloud-config parts with the
mergers each part names (Merge-Type header or merge_how), as the VM's cloud-init would. Output:
{"parts": [{"content_type", "filename", "merge_type", "payload"}], "cloud_config": <the merged cloud-config>}.
"""
import json
import sys
import tempfile

from cloudinit import handlers, helpers, user_data
from cloudinit.handlers.cloud_config import CloudConfigPartHandler
from cloudinit.settings import PER_INSTANCE


def main(path):
    with open(path, "rb") as f:
        raw = f.read()
    with tempfile.TemporaryDirectory() as tmp:
        paths = helpers.Paths({"cloud_dir": tmp, "run_dir": tmp})
        message = user_data.UserDataProcessor(paths).process(raw)
        cloud_config = CloudConfigPartHandler(paths)
        cloud_config.handle_part(None, handlers.CONTENT_START, None, None, PER_INSTANCE, {})
        parts = []

        def on_part(_data, filename, payload, headers):
            content_type = headers["Content-Type"]
            parts.append({
                "content_type": content_type,
                "filename": filename,
                "merge_type": headers.get("Merge-Type"),
                "payload": payload if isinstance(payload, str) else payload.decode("utf-8"),
            })
            if content_type in cloud_config.list_types():
                cloud_config.handle_part(None, content_type, filename, payload, PER_INSTANCE, headers)

        handlers.walk(message, on_part, {})
        print(json.dumps({"parts": parts, "cloud_config": cloud_config.cloud_buf}, indent=1, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1])
