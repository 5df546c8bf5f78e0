/**
 * The Python the tests run (the pruned numpy of bin/post_compile, the quantize script, the generated model
 * loader): `SLUG_DIET_TEST_PYTHON`, which .ci/run points at the interpreter it installed numpy and boto3 into,
 * else the first `python3` on PATH.
 */
export const PYTHON = process.env.SLUG_DIET_TEST_PYTHON || 'python3'
