#!/usr/bin/env python3
"""Compare our Sources/Signal/Proto/*.proto against LiveKit's published descriptors.

Our .proto files are written for this project; only names, numbers, types and
enum values must match LiveKit's so binary protobuf and protobuf-JSON
interoperate. This script compiles our files with `protoc` into a descriptor
set and checks every message, field, oneof, enum value and service method we
define against the `livekit-protocol` Python package.

Setup:  python3 -m venv /tmp/venv-proto && /tmp/venv-proto/bin/pip install livekit-protocol
Run:    /tmp/venv-proto/bin/python scripts/check-proto.py [--verbose]
        (PROTO_DIR=... checks another directory of .proto files)
Exit status 0 when there is no mismatch. Upstream fields that we omit are
listed with --verbose (omitting a field is allowed; changing one is not).
"""
import os
import subprocess
import sys
import tempfile

from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.descriptor import FieldDescriptor as FD

# Importing the modules registers LiveKit's files in the default pool.
from livekit.protocol import (  # noqa: F401
    agent, agent_dispatch, egress, ingress, models, room, rtc, webhook,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROTO_DIR = os.environ.get("PROTO_DIR", os.path.join(ROOT, "Sources", "Signal", "Proto"))
POOL = descriptor_pool.Default()
P = descriptor_pb2.FieldDescriptorProto


def compile_ours():
    protos = sorted(f for f in os.listdir(PROTO_DIR) if f.endswith(".proto"))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "set.pb")
        subprocess.run(
            ["protoc", f"--proto_path={PROTO_DIR}", "--include_imports",
             f"--descriptor_set_out={out}", *protos],
            check=True,
        )
        fds = descriptor_pb2.FileDescriptorSet()
        with open(out, "rb") as fh:
            fds.ParseFromString(fh.read())
    return fds


class Checker:
    def __init__(self, verbose):
        self.verbose = verbose
        self.problems = []
        self.omitted = []
        self.counts = {"messages": 0, "fields": 0, "enums": 0, "values": 0, "methods": 0}

    def bad(self, where, what):
        self.problems.append(f"{where}: {what}")

    def find(self, kind, name):
        try:
            return getattr(POOL, f"Find{kind}ByName")(name)
        except KeyError:
            return None

    def check_enum(self, full, ours):
        self.counts["enums"] += 1
        theirs = self.find("EnumType", full)
        if theirs is None:
            self.bad(full, "enum not in livekit-protocol")
            return
        their_values = {v.name: v.number for v in theirs.values}
        our_values = {v.name: v.number for v in ours.value}
        for name, number in our_values.items():
            self.counts["values"] += 1
            if name not in their_values:
                self.bad(full, f"value {name} not upstream")
            elif their_values[name] != number:
                self.bad(full, f"value {name}={number}, upstream {their_values[name]}")
        for name in their_values:
            if name not in our_values:
                self.bad(full, f"missing enum value {name} (JSON decoding would fail)")

    def check_message(self, full, ours):
        self.counts["messages"] += 1
        theirs = self.find("MessageType", full)
        if theirs is None:
            self.bad(full, "message not in livekit-protocol")
            return
        if ours.options.map_entry != theirs.GetOptions().map_entry:
            self.bad(full, "map-entry flag differs")
        their_fields = {f.number: f for f in theirs.fields}
        seen = set()
        for f in ours.field:
            self.counts["fields"] += 1
            where = f"{full}.{f.name}({f.number})"
            t = their_fields.get(f.number)
            if t is None:
                self.bad(where, "field number not upstream")
                continue
            seen.add(f.number)
            if t.name != f.name:
                self.bad(where, f"name differs: upstream {t.name}")
            if t.type != f.type:
                self.bad(where, f"type {f.type} differs: upstream {t.type}")
            if f.type in (P.TYPE_MESSAGE, P.TYPE_ENUM):
                their_type = (t.message_type or t.enum_type).full_name
                if f.type_name.lstrip(".") != their_type:
                    self.bad(where, f"type {f.type_name} differs: upstream {their_type}")
            if (f.label == P.LABEL_REPEATED) != t.is_repeated:
                self.bad(where, "repeated-ness differs")
            if f.json_name and f.json_name != t.json_name:
                self.bad(where, f"json name {f.json_name} differs: upstream {t.json_name}")
            # Oneof membership: real oneofs by name, proto3 `optional` as synthetic.
            their_oneof = t.containing_oneof
            their_optional = bool(their_oneof and t.has_presence and len(their_oneof.fields) == 1
                                  and their_oneof.name == "_" + t.name)
            if f.proto3_optional or their_optional:
                if f.proto3_optional != their_optional:
                    self.bad(where, f"proto3 optional: ours {f.proto3_optional}, upstream {their_optional}")
            else:
                our_oneof = ours.oneof_decl[f.oneof_index].name if f.HasField("oneof_index") else None
                their_name = their_oneof.name if their_oneof else None
                if our_oneof != their_name:
                    self.bad(where, f"oneof {our_oneof} differs: upstream {their_name}")
        for number, t in sorted(their_fields.items()):
            if number not in seen:
                self.omitted.append(f"{full}.{t.name}({number})")
        for e in ours.enum_type:
            self.check_enum(f"{full}.{e.name}", e)
        for m in ours.nested_type:
            self.check_message(f"{full}.{m.name}", m)

    def check_service(self, full, ours):
        theirs = self.find("Service", full)
        if theirs is None:
            self.bad(full, "service not in livekit-protocol")
            return
        their_methods = {m.name: m for m in theirs.methods}
        for m in ours.method:
            self.counts["methods"] += 1
            t = their_methods.get(m.name)
            if t is None:
                self.bad(f"{full}.{m.name}", "method not upstream")
                continue
            if m.input_type.lstrip(".") != t.input_type.full_name:
                self.bad(f"{full}.{m.name}", f"input {m.input_type} vs {t.input_type.full_name}")
            if m.output_type.lstrip(".") != t.output_type.full_name:
                self.bad(f"{full}.{m.name}", f"output {m.output_type} vs {t.output_type.full_name}")

    def run(self, fds):
        for fd in fds.file:
            if fd.package != "livekit":
                self.bad(fd.name, f"package {fd.package!r}, expected 'livekit'")
            if fd.syntax != "proto3":
                self.bad(fd.name, "not proto3")
            for e in fd.enum_type:
                self.check_enum(f"{fd.package}.{e.name}", e)
            for m in fd.message_type:
                self.check_message(f"{fd.package}.{m.name}", m)
            for s in fd.service:
                self.check_service(f"{fd.package}.{s.name}", s)


def main():
    verbose = "--verbose" in sys.argv
    checker = Checker(verbose)
    checker.run(compile_ours())
    c = checker.counts
    print(f"checked {c['messages']} messages, {c['fields']} fields, {c['enums']} enums "
          f"({c['values']} values), {c['methods']} service methods")
    if verbose:
        for o in checker.omitted:
            print(f"omitted (allowed): {o}")
    print(f"{len(checker.omitted)} upstream fields omitted in messages we define")
    for p in checker.problems:
        print(f"MISMATCH {p}")
    print(f"{len(checker.problems)} mismatches")
    return 1 if checker.problems else 0


if __name__ == "__main__":
    sys.exit(main())
