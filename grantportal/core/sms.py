"""Short messages (短信) to a user's phone, through a pluggable sender chosen by ``SMS_BACKEND``:

- ``log`` (the default): nothing is sent; the log says that a message went to a masked number
  (``138****1234``), never the number or the text (personal data stays out of logs, DESIGN.md §6);
- ``memory``: kept in ``app.extensions["gp_sms_outbox"]`` (tests); ``console``: printed whole on the terminal
  (``bin/demo`` only, to follow a confirmation code);
- ``module.path:function``: any callable ``send(phone, text)`` — the adapter of the bureau's SMS gateway
  (阿里云、腾讯云 …) lives outside this repository and is named in the configuration.

``send_sms`` is called only after the transaction that asked for the message committed (core.notices)."""
import importlib
import logging
import sys

from flask import current_app

from grantportal.core.masking import mask_phone

log = logging.getLogger("grantportal.sms")


def _gateway(spec):
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def send_sms(phone, text):
    backend = current_app.config.get("SMS_BACKEND", "log") or "log"
    if backend == "log":
        log.info("sms to=%s chars=%d", mask_phone(phone), len(text))
    elif backend == "memory":  # tests
        current_app.extensions.setdefault("gp_sms_outbox", []).append((phone, text))
    elif backend == "console":  # bin/demo on one's own machine, as for mail: the whole message on the terminal
        print(f"==> [演示短信] 手机号：{phone}\n{text}\n", file=sys.stderr, flush=True)
    else:
        _gateway(backend)(phone, text)
