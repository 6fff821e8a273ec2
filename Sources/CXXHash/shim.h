/* XXH3-64 from Debian's libxxhash-dev; the state hash of SoftSEAM is built on it. */
#include <xxhash.h>
