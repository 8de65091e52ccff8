# --- Documentation: "make docs" builds the HTML guide and the man page ------
# (Sphinx, warnings are errors).  "make install" installs the man page when
# "make docs" built it.
DOCS_RST = \
	Documentation/index.rst \
	Documentation/howto/vhost-user-client.rst \
	Documentation/intro/architecture.rst \
	Documentation/intro/install.rst \
	Documentation/ref/ovs-vhost-accel.7.rst \
	Documentation/topics/benchmark.rst \
	Documentation/topics/guest-harness.rst \
	Documentation/topics/live-migration.rst \
	Documentation/topics/offload.rst \
	Documentation/topics/security.rst \
	Documentation/topics/troubleshooting.rst \
	Documentation/topics/vdpa.rst \
	Documentation/topics/zero-copy.rst
EXTRA_DIST += Documentation/conf.py $(DOCS_RST)

SPHINXBUILD = sphinx-build
SPHINXFLAGS = -q -W --keep-going -d Documentation/doctrees
MAN_PAGE = Documentation/man/ovs-vhost-accel.7

.PHONY: docs
docs: Documentation/html/index.html $(MAN_PAGE)

Documentation/html/index.html: $(srcdir)/Documentation/conf.py $(DOCS_RST:%=$(srcdir)/%)
	$(AM_V_GEN)$(SPHINXBUILD) $(SPHINXFLAGS) -b html $(srcdir)/Documentation Documentation/html

$(MAN_PAGE): $(srcdir)/Documentation/conf.py $(srcdir)/Documentation/ref/ovs-vhost-accel.7.rst
	$(AM_V_GEN)$(SPHINXBUILD) $(SPHINXFLAGS) -b man $(srcdir)/Documentation Documentation/man

install-data-local:
	@if test -f $(MAN_PAGE); then \
	  echo " install $(MAN_PAGE)"; \
	  $(MKDIR_P) '$(DESTDIR)$(mandir)/man7' && \
	  $(INSTALL_DATA) $(MAN_PAGE) '$(DESTDIR)$(mandir)/man7/'; \
	fi

uninstall-local:
	rm -f '$(DESTDIR)$(mandir)/man7/ovs-vhost-accel.7'

clean-local: clean-docs
.PHONY: clean-docs
clean-docs:
	rm -rf Documentation/html Documentation/man Documentation/doctrees
