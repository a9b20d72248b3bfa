# Sourced by the project's scripts: finds a JDK >= 21 (JAVA_HOME, then java on PATH, then
# /usr/lib/jvm/*) and installs, through apt, the system packages the project needs when missing.
# Safe to source twice.

vgg4j_java_version() {  # $1 = java binary -> major version (17, 21, 25, ...) or 0
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' \
    | awk -F. '{print ($1 == 1 ? $2 : $1) + 0}'
}

vgg4j_find_jdk() {
  local cand
  for cand in ${JAVA_HOME:+"$JAVA_HOME"} "$(dirname "$(dirname "$(readlink -f "$(command -v javac 2>/dev/null || echo /nonexistent)")")")" /usr/lib/jvm/*; do
    [ -x "$cand/bin/javac" ] || continue
    if [ "$(vgg4j_java_version "$cand/bin/java")" -ge 21 ] 2>/dev/null; then
      export JAVA_HOME="$cand"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "vgg4j: no JDK 21 or newer found (looked at JAVA_HOME, javac on PATH, /usr/lib/jvm/*); install one and set JAVA_HOME" >&2
  return 1
}

# Installs Debian packages that are missing; never fails the caller when it cannot (no root).
vgg4j_apt_ensure() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      echo "vgg4j: missing packages ${missing[*]} (not root, no sudo): install them with apt-get" >&2
      return 0
    fi
  fi
  echo "vgg4j: installing ${missing[*]} with apt-get" >&2
  if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>&1; then
    $sudo apt-get update -q >/dev/null 2>&1
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 \
      || echo "vgg4j: could not install ${missing[*]}; continuing without" >&2
  fi
}

# The OpenCL runtime for the CPU (PoCL) and the default data set.
# Maven on a JDK >= 24 warns about its own use of sun.misc.Unsafe; that is noise.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"

# ocl-icd-opencl-dev holds the unversioned libOpenCL.so that JOCL dlopens by name.
VGG4J_PACKAGES=(pocl-opencl-icd ocl-icd-libopencl1 ocl-icd-opencl-dev dataset-fashion-mnist)
# The tests also check exported ONNX files with ONNX's own checker (Debian's python3-onnx).
VGG4J_TEST_PACKAGES=(python3-onnx)
