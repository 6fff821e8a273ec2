/* XXH3-64 from Debian's libxxhash-dev; the state hash of SoftSEAM is built on it.
 * XXH_INLINE_ALL makes the header's own implementation static inline, so the fixed 16-byte record hashes
 * on the ATTR.WR path compile to straight-line code instead of a call through the shared library's PLT and
 * its length dispatch (measured under callgrind with `softseam bench --only attr_wr --iterations N`). */
#define XXH_INLINE_ALL
#include <xxhash.h>
