#!/usr/bin/env python3
"""Checks that Documentation/ref/ovs-vhost-accel.7.rst documents what the
code accepts and shows, and nothing else.

  check-reference.py [--reference=FILE] SRCDIR [OBSERVED.json]

What the code has, read from the sources under SRCDIR:

  options        the option tables of each class (kKnownOptions and
                 kKnownIgnoredOptions in lib/vhost/port-config.cc for
                 dpdkvhostuserclient, lib/vdpa/vdpa-config.cc for dpdkvdpa);
  status         the constant keys that get_status() of lib/vhost/ and
                 lib/vdpa/ report (a dpdkvdpa port reports its guest side's
                 keys too, but for 'mode');
  statistics     the constant names that get_custom_stats() and its helpers
                 report, per class;
  other_config   the keys the plugin and its OVS patches read from
                 Open_vSwitch:other_config;
  commands       the unixctl commands the plugin and its OVS patches
                 register.

Keys built at run time (per queue, per virtqueue, a driver's counter
names) have no constant to read: OBSERVED.json, the output of
'ovs-vsctl --format=json --columns=type,status,statistics list Interface'
taken from running ports, adds every key they showed.

The reference names each item as the term of a definition list, at the
start of a line: ``options:NAME``, ``status:KEY``, ``statistics:NAME``,
``other_config:KEY`` or ``ovs-appctl COMMAND``; several terms may share a
line.  <N> in a name stands for a number, <word> for a name.  The section
(a title containing 'dpdkvhostuserclient' or 'dpdkvdpa') says which class
an option, status key or statistic belongs to.

Prints each difference and exits 1 if there is one.
"""
import json
import os
import re
import sys

REF = 'Documentation/ref/ovs-vhost-accel.7.rst'
CLASSES = ('dpdkvhostuserclient', 'dpdkvdpa')
CLASS_DIR = {'dpdkvhostuserclient': 'lib/vhost', 'dpdkvdpa': 'lib/vdpa'}
OPTION_FILES = {'dpdkvhostuserclient': 'lib/vhost/port-config.cc',
                'dpdkvdpa': 'lib/vdpa/vdpa-config.cc'}
# Functions whose cb(aux, "KEY", ...) calls report status keys or
# statistics.
STATUS_FUNCS = ('get_status',)
STATS_FUNCS = ('get_custom_stats', 'get_hw_stats')
TERM_RE = re.compile(r'``(options|status|statistics|other_config):([^`=\s]+)``'
                     r'|``ovs-appctl ([a-z][a-z0-9/_-]*)``')


def read(srcdir, path):
    with open(os.path.join(srcdir, path)) as f:
        return f.read()


def sources(srcdir, top):
    for base, _, files in os.walk(os.path.join(srcdir, top)):
        for name in sorted(files):
            if name.endswith(('.c', '.cc')):
                yield os.path.join(base, name)


def option_table(text):
    """The strings of the kKnown*Options arrays in TEXT."""
    names = set()
    for body in re.findall(r'kKnown\w*Options\[\]\s*=\s*\{(.*?)\};', text,
                           re.S):
        names.update(re.findall(r'"([^"]+)"', body))
    return names


def reported_keys(path, funcs):
    """Constant keys passed as cb(aux, "KEY", ...) (or f->cb(f->aux, ...))
    inside the functions FUNCS of PATH (OVS style: the function's name
    starts a line)."""
    keys = set()
    current = None
    with open(path) as f:
        for line in f:
            m = re.match(r'^(?:\w+::)?(\w+)\(', line)
            if m:
                current = m.group(1)
            if current in funcs:
                keys.update(re.findall(r'cb\((?:\w+->)?aux,\s*"([^"]+)"',
                                       line))
    return keys


def patch_added_lines(srcdir):
    pdir = os.path.join(srcdir, 'ovs-patches')
    for name in sorted(os.listdir(pdir)):
        if name.endswith('.patch'):
            with open(os.path.join(pdir, name)) as f:
                for line in f:
                    if line.startswith('+') and not line.startswith('+++'):
                        yield line[1:]


def code_items(srcdir):
    """{(kind, class or None): set of names} from the sources."""
    items = {}
    for cls in CLASSES:
        items[('options', cls)] = option_table(read(srcdir,
                                                    OPTION_FILES[cls]))
        status, stats = set(), set()
        for path in sources(srcdir, CLASS_DIR[cls]):
            status |= reported_keys(path, STATUS_FUNCS)
            stats |= reported_keys(path, STATS_FUNCS)
        items[('status', cls)] = status
        items[('statistics', cls)] = stats
    # A dpdkvdpa port reports its guest side's status, but for 'mode'.
    items[('status', 'dpdkvdpa')] |= (items[('status', 'dpdkvhostuserclient')]
                                      - {'mode'})

    texts = [open(p).read() for p in sources(srcdir, 'lib/ovs')]
    texts += list(patch_added_lines(srcdir))
    text = ''.join(texts)
    items[('other_config', None)] = set(re.findall(
        r'smap_get\w*\(\s*other_config,\s*"([^"]+)"', text))
    items[('commands', None)] = set(re.findall(
        r'unixctl_command_register\(\s*"([^"]+)"', text))
    return items


def observed_items(path):
    """{(kind, class): set of names} from an ovs-vsctl JSON listing."""
    items = {}
    with open(path) as f:
        table = json.load(f)
    cols = table['headings']
    for row in table['data']:
        rec = dict(zip(cols, row))
        cls = rec.get('type')
        if cls not in CLASSES:
            continue
        for kind in ('status', 'statistics'):
            value = rec.get(kind)
            if isinstance(value, list) and value and value[0] == 'map':
                items.setdefault((kind, cls), set()).update(
                    k for k, _ in value[1])
    return items


def doc_items(text):
    """{(kind, class or None): set of names} from the reference."""
    items = {}
    cls = None
    lines = text.splitlines()
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ''
        if nxt and set(nxt) <= set('=-~^"') and len(nxt) >= len(line) > 0:
            # A section title: which class do the items below belong to?
            found = [c for c in CLASSES
                     if re.search(r'\b%s\b' % c, line)]
            if found:
                cls = found[0]
            elif set(nxt) <= set('='):
                cls = None
        if not line.startswith('``'):
            continue
        for kind, name, command in TERM_RE.findall(line):
            if command:
                items.setdefault(('commands', None), set()).add(command)
            elif kind == 'other_config':
                items.setdefault(('other_config', None), set()).add(name)
            else:
                items.setdefault((kind, cls), set()).add(name)
    return items


def pattern(name):
    """A documented name with <N> and <word> placeholders as a regex."""
    out = ''
    for part in re.split(r'(<[^>]+>)', name):
        if part == '<N>':
            out += '[0-9]+'
        elif part.startswith('<'):
            out += '[a-z0-9_]+'
        else:
            out += re.escape(part)
    return re.compile(out + r'\Z')


def main(argv):
    ref = None
    if len(argv) > 1 and argv[1].startswith('--reference='):
        ref = argv[1][len('--reference='):]
        argv = argv[:1] + argv[2:]
    if len(argv) not in (2, 3):
        sys.stderr.write(__doc__)
        return 2
    srcdir = argv[1]
    code = code_items(srcdir)
    seen = observed_items(argv[2]) if len(argv) == 3 else {}
    with open(ref or os.path.join(srcdir, REF)) as f:
        doc = doc_items(f.read())

    problems = []
    keys = set(code) | set(seen) | set(doc)
    for key in sorted(keys, key=lambda k: (k[0], k[1] or '')):
        kind, cls = key
        where = kind + (' of ' + cls if cls else '')
        documented = doc.get(key, set())
        patterns = [pattern(d) for d in documented]
        have = code.get(key, set()) | seen.get(key, set())
        for name in sorted(have):
            if not any(p.match(name) for p in patterns):
                problems.append('%s: "%s" is not in %s' % (where, name, REF))
        for name in sorted(documented):
            p = pattern(name)
            if not any(p.match(h) for h in have):
                problems.append('%s: %s documents "%s", which the code does '
                                'not have%s' % (
                                    where, REF, name,
                                    '' if len(argv) == 3 or '<' not in name
                                    else ' (or no port showed it)'))
    for p in problems:
        print(p)
    counts = ', '.join('%d %s' % (len(doc.get(k, ())),
                                  k[0] + ('/' + k[1] if k[1] else ''))
                       for k in sorted(keys, key=lambda k: (k[0], k[1] or '')))
    print('reference: %s; %d problem(s)' % (counts, len(problems)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
