#!/usr/bin/env python3
"""MiniLM-shaped models side by side in ONNX Runtime (docs/benchmarks.md, "MiniLM latency against -q").

    python3 benchmarks/ort-profile.py [--threads N] [--rounds R] [--kernels] NAME=MODEL.onnx ...

Runs every model once per round, in a new random order each round, over the same 5 batches of 16 random
token sequences of 24 tokens, with thread spinning off so process CPU time is the work done. Prints per model
the median wall and CPU time of a round and the median of the per-round ratios to the first model; with
--kernels (which slows every node a little) instead the kernel time per operator type from ONNX Runtime's
profiler. Needs numpy and onnxruntime.
"""
import argparse, collections, json, os, random, statistics, tempfile, time
import numpy as np
import onnxruntime as ort

p = argparse.ArgumentParser()
p.add_argument('--threads', type=int, default=1)
p.add_argument('--rounds', type=int, default=30)
p.add_argument('--kernels', action='store_true')
p.add_argument('models', nargs='+')
a = p.parse_args()
models = dict(m.split('=', 1) for m in a.models)
rng = np.random.default_rng(0)
batches = [{'input_ids': rng.integers(1000, 30000, (16, 24)).astype(np.int64),
            'attention_mask': np.ones((16, 24), np.int64), 'token_type_ids': np.zeros((16, 24), np.int64)}
           for _ in range(5)]
sessions = {}
for name, path in models.items():
    so = ort.SessionOptions()
    so.intra_op_num_threads, so.inter_op_num_threads, so.log_severity_level = a.threads, 1, 3
    so.add_session_config_entry('session.intra_op.allow_spinning', '0')
    so.enable_profiling, so.profile_file_prefix = a.kernels, os.path.join(tempfile.gettempdir(), 'ort-profile-' + name)
    s = ort.InferenceSession(path, so, providers=['CPUExecutionProvider'])
    feeds = [{k: v for k, v in b.items() if k in {i.name for i in s.get_inputs()}} for b in batches]
    for f in feeds:
        s.run(None, f)  # warm-up
    sessions[name] = (s, feeds)
wall = collections.defaultdict(list)
cpu = collections.defaultdict(list)
for _ in range(a.rounds):
    order = list(models)
    random.shuffle(order)
    for name in order:
        s, feeds = sessions[name]
        c, t = time.process_time(), time.perf_counter()
        for f in feeds:
            s.run(None, f)
        wall[name].append((time.perf_counter() - t) * 1e3)
        cpu[name].append((time.process_time() - c) * 1e3)
first = next(iter(models))
print('load average %.1f %.1f %.1f, %d rounds, %d intra-op threads' % (*os.getloadavg(), a.rounds, a.threads))
print('| model | wall median | CPU median | wall / %s | CPU / %s |' % (first, first))
print('|---|---|---|---|---|')
for name in models:
    ratio = lambda x: statistics.median(v / b for v, b in zip(x[name], x[first]))
    print('| %s | %.1f ms | %.1f ms | %.3f | %.3f |' % (name, statistics.median(wall[name]),
                                                     statistics.median(cpu[name]), ratio(wall), ratio(cpu)))
if not a.kernels:
    raise SystemExit
kernels = {}
for name in models:
    path = sessions[name][0].end_profiling()
    events = json.load(open(path))
    os.remove(path)
    k = collections.Counter()
    for e in events:
        if e.get('cat') == 'Node' and e['name'].endswith('_kernel_time'):
            k[e['args']['op_name']] += e['dur'] / 1e3 / (a.rounds + 1)  # ms per round, warm-up included
    kernels[name] = k
print('\n| operator (kernel ms per round) | ' + ' | '.join(models) + ' |')
print('|---|' + '---|' * len(models))
for op in sorted(set().union(*kernels.values()), key=lambda o: -kernels[first][o]):
    print('| %s | ' % op + ' | '.join('%.2f' % kernels[n][op] for n in models) + ' |')
