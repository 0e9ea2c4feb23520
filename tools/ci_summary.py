#!/usr/bin/env python3
"""Counts test cases from Bazel's test.xml files and prints `N passed, N failed`.

Every test target from `bazel query 'tests(//...)'` is looked up in bazel-testlogs; a target
without a test.xml (it did not build, or did not run) counts as one failed case. Exits 1 when
anything failed or nothing ran.
"""
import os
import subprocess
import sys
import xml.etree.ElementTree as ET


def main():
    root = subprocess.run(['bazel', 'info', 'bazel-testlogs'], check=True, capture_output=True,
                          text=True).stdout.strip()
    targets = subprocess.run(['bazel', 'query', 'tests(//...)', '--output=label'], check=True,
                             capture_output=True, text=True).stdout.split()
    passed = failed = 0
    problems = []
    for t in targets:
        pkg, name = t[2:].split(':')
        xml = os.path.join(root, pkg, name, 'test.xml')
        if not os.path.exists(xml):
            failed += 1
            problems.append(f'{t}: no test.xml (not built or not run)')
            continue
        tree = ET.parse(xml)
        cases = tree.getroot().iter('testcase')
        n_cases = 0
        for c in cases:
            n_cases += 1
            if c.find('failure') is not None or c.find('error') is not None:
                failed += 1
                problems.append(f'{t}: {c.get("classname", "")}.{c.get("name", "")} failed')
            elif c.get('status') == 'notrun' or c.find('skipped') is not None:
                pass
            else:
                passed += 1
        if n_cases == 0:
            # A test without cases in its XML (a script test): judged by its suite's counts.
            suites = list(tree.getroot().iter('testsuite'))
            bad = any(int(s.get('failures', 0)) + int(s.get('errors', 0)) for s in suites)
            if bad:
                failed += 1
                problems.append(f'{t}: failed')
            else:
                passed += 1
    for p in problems:
        print(p)
    print(f'{passed} passed, {failed} failed')
    return 1 if failed or passed == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
