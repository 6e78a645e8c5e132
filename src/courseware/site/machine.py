"""What tells two machines apart when they run the same seeded code.

Float results of the same program depend on the CPU: oneDNN, MKL and ATen choose their kernels
by instruction set (and by CPU model) at run time, and multi-threaded kernels sum in an order
set by the thread count. So a record written on one machine is reproduced bit for bit only
where these facts agree. :func:`fingerprint` collects them; :func:`machine_changes` lists the
ones that differ between a record and the machine running it now.
"""

from __future__ import annotations

import contextlib
import os
import platform
import re
from pathlib import Path
from typing import Any

__all__ = ["ISA_FLAGS", "NUMERIC_ENV", "cpu_info", "fingerprint", "machine_changes"]

ISA_FLAGS = (
    "avx",
    "fma",
    "avx2",
    "avx512f",
    "avx512bw",
    "avx512vl",
    "avx512_vnni",
    "avx512_bf16",
    "avx512_fp16",
    "avx_vnni",
    "amx_tile",
    "amx_bf16",
)
"""The ``/proc/cpuinfo`` flags that decide which float kernels oneDNN, MKL and ATen pick."""

NUMERIC_ENV = (
    "ONEDNN_MAX_CPU_ISA",
    "DNNL_MAX_CPU_ISA",
    "MKL_CBWR",
    "MKL_ENABLE_INSTRUCTIONS",
    "ATEN_CPU_CAPABILITY",
)
"""Environment variables that cap the instruction set the kernels may use."""

FINGERPRINT_KEYS = (
    "device",
    "gpu",
    "cpu",
    "cpu_vendor",
    "cpu_family",
    "cpu_model",
    "isa",
    "aten_capability",
    "torch_threads",
    "onednn",
    "mkl",
    "numeric_env",
)
"""The keys of :func:`fingerprint`; two machines reproduce each other's bits only if all agree."""


def cpu_info() -> dict[str, Any]:
    """Model name, vendor, family, model number and instruction-set flags of this CPU."""
    fields: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if not line.strip() and fields:
                break  # the first processor's entry is enough
            name, _, value = line.partition(":")
            if name.strip() in {"model name", "vendor_id", "cpu family", "model", "flags"}:
                fields[name.strip()] = value.strip()
    flags = set(fields.get("flags", "").split())
    return {
        "cpu": fields.get("model name") or platform.processor() or platform.machine(),
        "cpu_vendor": fields.get("vendor_id", "unknown"),
        "cpu_family": fields.get("cpu family", "unknown"),
        "cpu_model": fields.get("model", "unknown"),
        "isa": [f for f in ISA_FLAGS if f in flags],
    }


def _library_versions() -> dict[str, str]:
    """oneDNN and MKL versions as PyTorch reports them in ``torch.__config__.show()``."""
    import torch

    shown = torch.__config__.show()
    onednn = re.search(r"(?:oneDNN|MKL-DNN)\s+(v[\d.]+)", shown)
    mkl = re.search(r"Math Kernel Library Version\s+([\d.]+)", shown)
    return {
        "onednn": onednn.group(1) if onednn else "not built in",
        "mkl": mkl.group(1) if mkl else "not built in",
    }


def fingerprint() -> dict[str, Any]:
    """The facts of this machine that decide the low-order bits of the course's results."""
    import torch

    from dlcourse.runtime import device

    dev = device()
    info: dict[str, Any] = {"device": str(dev)}
    if dev.type == "cuda":
        info["gpu"] = torch.cuda.get_device_name(dev)
    info.update(cpu_info())
    info["aten_capability"] = torch.backends.cpu.get_cpu_capability()
    info["torch_threads"] = torch.get_num_threads()
    info.update(_library_versions())
    info["numeric_env"] = {k: os.environ[k] for k in NUMERIC_ENV if os.environ.get(k)}
    info["cores"] = os.cpu_count() or 1
    return info


def machine_changes(recorded: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """``"key: recorded -> now"`` for every fingerprint fact that differs.

    A record from before the fingerprint existed lacks these keys; each missing one counts as
    a difference, so such a record is never held to bit-exact reproduction.
    """
    changes = []
    for key in FINGERPRINT_KEYS:
        old, new = recorded.get(key, "not recorded"), now.get(key)
        if key == "gpu" and old == "not recorded" and new is None:
            continue
        if old != new:
            changes.append(f"{key}: {old} -> {new}")
    return changes
