"""Schemathesis hooks for `bash benches/run.sh fuzz`: one line per call,
`<operation label>\t<status>`, appended to the file in $ELIF_FUZZ_LOG, so the
script can print, per operation, the cases sent and the 2xx received."""

import os

import schemathesis

_LOG = os.environ["ELIF_FUZZ_LOG"]


@schemathesis.hook
def after_call(context, case, response):
    with open(_LOG, "a", encoding="utf-8") as log:
        log.write(f"{case.operation.label}\t{response.status_code}\n")
