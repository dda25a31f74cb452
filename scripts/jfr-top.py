#!/usr/bin/env python3
"""Summarises the execution samples of a JFR recording: the methods most often on top of the stack
(self) and anywhere on it (inclusive), as docs/performance.md shows them.

Usage: jfr print --stack-depth 64 --events jdk.ExecutionSample FILE.jfr | scripts/jfr-top.py [N]
"""
import collections
import re
import sys


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 25
    top = collections.Counter()
    anywhere = collections.Counter()
    samples = 0
    stack = None
    for line in sys.stdin:
        s = line.strip()
        if s.startswith('stackTrace = ['):
            stack = []
        elif stack is not None and s == ']':
            samples += 1
            if stack:
                top[stack[0]] += 1
                for frame in set(stack):
                    anywhere[frame] += 1
            stack = None
        elif stack is not None:
            m = re.match(r'([\w$.<>]+)\(', s)
            if m:
                stack.append(m.group(1))
    if samples == 0:
        print('no jdk.ExecutionSample events with stacks')
        return
    print(f'{samples} samples')
    for title, counts in (('self (top of the stack)', top), ('inclusive (anywhere on the stack)', anywhere)):
        print('--', title)
        for frame, c in counts.most_common(n):
            print(f'{100 * c / samples:5.1f}%  {frame}')


if __name__ == '__main__':
    main()
