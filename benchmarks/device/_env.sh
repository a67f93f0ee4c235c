# Sourced by the device scripts from the repository root: the repo on PYTHONPATH, and the
# no-op threadpoolctl stand-in (benchmarks/device/shim) where the device's Python lacks it.
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
python3 -c "import threadpoolctl" 2>/dev/null || export PYTHONPATH=$PYTHONPATH:$PWD/benchmarks/device/shim
