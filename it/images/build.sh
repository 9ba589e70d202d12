#!/usr/bin/env bash
# Builds the container images the tests run, from Debian's packages on this machine (no registry is needed):
#   crossrole-test/busybox:1   busybox-static's applets, for the runtime's behaviour tests
#   crossrole-test/awscli:1    a minimal Debian (debootstrap) with the AWS CLI, for the walkthrough in a container
# Usage: it/images/build.sh [busybox|awscli|all]   (default: all); an image already present is kept.
# Needs root, podman, and for the images: busybox-static, debootstrap (installed here when missing and apt exists).
set -euo pipefail
which_images=${1:-all}
PODMAN=(podman --runtime runc --cgroup-manager=cgroupfs)

need_package() {
  if ! dpkg -s "$1" >/dev/null 2>&1; then
    apt-get install -y -q "$1" >/dev/null
  fi
}

present() {
  "${PODMAN[@]}" image exists "$1"
}

build_busybox() {
  local image=crossrole-test/busybox:1
  present "$image" && return 0
  need_package busybox-static
  local root
  root=$(mktemp -d)
  mkdir -p "$root"/{bin,etc,tmp,root,home,proc,sys,dev}
  cp /bin/busybox "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
  done
  chmod 1777 "$root/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/sh\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
  tar -C "$root" -c . | "${PODMAN[@]}" import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' - "$image" >/dev/null 2>&1
  rm -rf "$root"
  echo "built $image"
}

build_awscli() {
  local image=crossrole-test/awscli:1
  present "$image" && return 0
  need_package debootstrap
  local root
  root=$(mktemp -d)
  # The mirror apt uses here, so that the image comes from the same packages.
  local mirror
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  # python3-cffi-backend is named: debootstrap does not resolve the virtual package python3-cryptography needs.
  debootstrap --variant=minbase --include=awscli,ca-certificates,python3-cffi-backend bookworm "$root" "${mirror:-http://deb.debian.org/debian}" >/dev/null
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | "${PODMAN[@]}" import --change 'CMD ["/bin/bash"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$image" >/dev/null 2>&1
  rm -rf "$root"
  echo "built $image"
}

case "$which_images" in
  busybox) build_busybox ;;
  awscli) build_awscli ;;
  all) build_busybox; build_awscli ;;
  *) echo "usage: $0 [busybox|awscli|all]" >&2; exit 2 ;;
esac
