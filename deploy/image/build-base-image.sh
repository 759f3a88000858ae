#!/usr/bin/env bash
# Builds the Compactor image's base from Debian packages alone: bookworm (minbase) + OpenJDK 17 JRE, packed
# as a 'docker save' tarball that Jib takes as <from><image>tar://…</image></from>. For machines that reach
# a Debian mirror but no container registry; with a registry, the image profile's default base
# (eclipse-temurin:17-jre) needs none of this. Needs root, debootstrap and ~600 MB in /var/tmp.
#   deploy/image/build-base-image.sh [OUT.tar]      # default: deploy/image/base/compactor-base.tar (used by the image build when present)
#   DEBIAN_MIRROR=http://…/debian DEBIAN_SUITE=bookworm deploy/image/build-base-image.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$(realpath -m "${1:-$here/base/compactor-base.tar}")"
suite="${DEBIAN_SUITE:-bookworm}"
# default: the mirror this machine's apt already uses, so the script works wherever apt-get does
apt_mirror() {
  awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2> /dev/null || true
  awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2> /dev/null || true
}
mirror="${DEBIAN_MIRROR:-}"
[ -n "$mirror" ] || mirror="$(apt_mirror | head -n 1)"
arch="$(dpkg --print-architecture)"
[ "$(id -u)" = 0 ] || { echo "run as root (debootstrap and chroot need it)" >&2; exit 2; }
command -v debootstrap > /dev/null || { echo "install debootstrap first: apt-get install debootstrap" >&2; exit 2; }

work="$(mktemp -d /var/tmp/compactor-base.XXXXXX)"
root="$work/rootfs"
cleanup() {
  umount "$root/proc" 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "debootstrap $suite ($arch) from ${mirror:-the default mirror of debootstrap} ..."
debootstrap --variant=minbase --arch="$arch" "$suite" "$root" ${mirror:+"$mirror"} > "$work/debootstrap.log" \
  || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
# ca-certificates-java runs keytool in its postinst: the JVM wants /proc
mount -t proc proc "$root/proc"
chroot "$root" /bin/sh -c 'apt-get update -q && DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends openjdk-17-jre-headless && apt-get clean' > "$work/apt.log" \
  || { tail -n 30 "$work/apt.log" >&2; exit 1; }
chroot "$root" java -version # the launcher finds its libraries through /proc/self/exe
umount "$root/proc"
# what a container does not need, and what the runtime provides itself
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/log/* "$root"/usr/share/doc/* \
  "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/tmp/*
: > "$root/etc/resolv.conf"
: > "$root/etc/hostname"

mkdir -p "$work/image"
tar --numeric-owner --sort=name -C "$root" -cf "$work/image/layer.tar" .
diff_id="sha256:$(sha256sum "$work/image/layer.tar" | cut -d' ' -f1)"
java_version="$(chroot "$root" dpkg-query -W -f '${Version}' openjdk-17-jre-headless)"
cat > "$work/image/config.json" <<JSON
{"architecture":"$arch","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","LANG=C.UTF-8"],"Cmd":["/bin/bash"]},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"debootstrap --variant=minbase $suite; apt-get install openjdk-17-jre-headless $java_version"}]}
JSON
cat > "$work/image/manifest.json" <<JSON
[{"Config":"config.json","RepoTags":["compactor-base:17-$suite"],"Layers":["layer.tar"]}]
JSON
mkdir -p "$(dirname "$out")"
tar -C "$work/image" -cf "$out" manifest.json config.json layer.tar
echo "base image: $out ($(du -h "$out" | cut -f1), OpenJDK $java_version, layer $diff_id)"
