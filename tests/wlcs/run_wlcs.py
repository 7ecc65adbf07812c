#!/usr/bin/env python3
"""Runs the Wayland Conformance Suite against the compositor for one kind of
client (host or container) and checks the result against the expectation
file: a failure that is not listed there fails the test; a listed test that
passes is reported so its entry can be removed (the list only shrinks).

usage: run_wlcs.py RUNNER MODULE host|container EXPECTED_FILE [gtest args...]
"""
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SHARDS = 8
SANITIZER_MARKERS = ('ERROR: AddressSanitizer', 'ERROR: LeakSanitizer',
                     'SUMMARY: UndefinedBehaviorSanitizer', ': runtime error: ')


def sanitizer_runtimes(module):
    """The sanitizer runtimes a sanitized build's module links (empty
    otherwise). The wlcs runner is not built with them, and ASan must be the
    first library a process loads: the runner gets them in LD_PRELOAD."""
    out = subprocess.run(['ldd', module], capture_output=True, text=True).stdout
    return [line.split('=>')[1].split()[0] for line in out.splitlines()
            if '=>' in line and line.split()[0].startswith(('libasan.so', 'libubsan.so'))]


def sanitizer_report(text):
    """The first sanitizer report in text, or None."""
    found = [text.find(m) for m in SANITIZER_MARKERS if m in text]
    if not found:
        return None
    return text[text.rfind('\n', 0, min(found)) + 1:][:20000]


def load_expected(path, clients):
    """Lines are 'host|container|both TEST_NAME reason...'; '#' starts a comment."""
    expected = {}
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            parts = line.split(None, 2)
            if len(parts) < 3 or parts[0] not in ('host', 'container', 'both'):
                sys.exit(f'{path}:{number}: expected "host|container|both TEST_NAME reason", got: {line}')
            if parts[0] in (clients, 'both'):
                expected[parts[1]] = parts[2]
    return expected


def results(xml_path):
    """(name, 'pass'|'fail'|'skip') for every test gtest ran."""
    for case in ET.parse(xml_path).getroot().iter('testcase'):
        name = f"{case.get('classname')}.{case.get('name')}"
        if case.get('status') == 'notrun':
            continue
        # wlcs reports a test of a protocol the compositor does not offer as a
        # failure carrying the property wlcs-skip-test.
        skipped = any(p.get('name') == 'wlcs-skip-test' for p in case.iter('property'))
        if skipped or case.find('skipped') is not None or case.get('result') == 'skipped':
            yield name, 'skip'
        elif case.find('failure') is not None:
            yield name, 'fail'
        else:
            yield name, 'pass'


def main():
    runner, module, clients, expected_path = sys.argv[1:5]
    expected = load_expected(expected_path, clients)
    with tempfile.TemporaryDirectory(prefix="ctop-wlcs-") as tmp:
        tmp = os.environ.get("CTOP_WLCS_KEEP", tmp)
        runs = []
        # Shards run side by side: the suite mostly waits (a failing test
        # waits out wlcs' 10 s timeout), so they overlap rather than compete.
        for shard in range(SHARDS):
            shard_dir = os.path.join(tmp, str(shard))
            os.makedirs(shard_dir, exist_ok=True)
            xml_path = os.path.join(shard_dir, 'results.xml')
            if os.path.exists(xml_path):
                os.remove(xml_path)
            env = dict(os.environ, CTOP_WLCS_CLIENTS=clients, XDG_RUNTIME_DIR=shard_dir,
                       GTEST_TOTAL_SHARDS=str(SHARDS), GTEST_SHARD_INDEX=str(shard))
            preload = sanitizer_runtimes(module)
            if preload:
                env['LD_PRELOAD'] = ' '.join(preload + [env.get('LD_PRELOAD', '')]).strip()
                # The runner's process is wlcs' own: its test clients exit
                # with Wayland proxies still allocated. Memory errors and UB
                # stay fatal; our compositor's leaks are checked in the
                # session's tests.
                env['ASAN_OPTIONS'] = env.get('ASAN_OPTIONS', '') + ':detect_leaks=0'

            env.pop('WAYLAND_DISPLAY', None)
            env.pop('WAYLAND_SOCKET', None)
            log = open(os.path.join(shard_dir, 'log'), 'w+')
            cmd = [runner, module, f'--gtest_output=xml:{xml_path}', *sys.argv[5:]]
            runs.append((subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT), log, xml_path))
        outcome, output, crashed = {}, '', False
        for proc, log, xml_path in runs:
            proc.wait()
            log.seek(0)
            text = log.read()
            log.close()
            output += text
            if not os.path.exists(xml_path):
                print(text[-20000:])
                print(f'wlcs {clients}: a shard did not finish (exit status {proc.returncode}): '
                      f'the compositor or the suite crashed; the output above ends where it stopped')
                crashed = True
                continue
            outcome.update(results(xml_path))
            report = sanitizer_report(text)
            if report:
                print(report)
                print(f'wlcs {clients}: a sanitizer reported an error (exit status {proc.returncode})')
                crashed = True
        if crashed:
            return 1

    counts = {kind: sum(1 for r in outcome.values() if r == kind) for kind in ('pass', 'fail', 'skip')}
    failed = sorted(n for n, r in outcome.items() if r == 'fail')
    unexpected = [n for n in failed if n not in expected]
    fixed = sorted(n for n in expected if outcome.get(n) == 'pass')
    if unexpected:
        # gtest's own messages for the tests nobody expected to fail.
        print(output[-30000:])
    print(f'wlcs {clients} clients: {counts["pass"]} passed, {counts["fail"]} failed '
          f'({len(failed) - len(unexpected)} expected), {counts["skip"]} skipped, of {len(outcome)}')
    for name in unexpected:
        print(f'  UNEXPECTED FAILURE: {name}')
    for name in fixed:
        print(f'  now passes, remove it from {os.path.basename(expected_path)}: {name}')
    return 1 if unexpected else 0


if __name__ == '__main__':
    sys.exit(main())
