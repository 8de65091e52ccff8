# Sphinx configuration of the ovs-vhost-accel documentation ("make docs").
project = 'ovs-vhost-accel'
copyright = 'ovs-vhost-accel developers'
author = 'ovs-vhost-accel developers'
version = release = '0.1'

extensions = []
source_suffix = '.rst'
master_doc = 'index'
exclude_patterns = ['_build', 'html', 'man']
highlight_language = 'none'
html_theme = 'classic'
html_static_path = []

# The reference is also the man page (section 7, like OVS's overview pages).
man_pages = [
    ('ref/ovs-vhost-accel.7', 'ovs-vhost-accel',
     'vhost-user, zero-copy and vDPA ports for Open vSwitch with DPDK',
     [author], 7),
]
