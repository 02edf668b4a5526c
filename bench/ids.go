package bench

import (
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strconv"
)

// gen wraps the simulator's single random source. Every random choice goes
// through it in a fixed order, so one seed always gives the same polls.
type gen struct {
	r *rand.Rand
	// ids, when not nil, collects every random id drawn, for RandomIDFloor.
	ids *[]drawnID
}

// drawnID is a random id and the bits of randomness in it.
type drawnID struct {
	text string
	bits float64
}

// drew records id, holding bits of randomness, when ids are being collected.
func (g *gen) drew(id string, bits float64) string {
	if g.ids != nil {
		*g.ids = append(*g.ids, drawnID{id, bits})
	}
	return id
}

func newGen(seed int64) *gen {
	return &gen{r: rand.New(rand.NewPCG(uint64(seed), 0x5eedde17a))}
}

// hex64 returns 64 lower-case hex digits: a Docker object id or a sha256 digest.
func (g *gen) hex64() string {
	var b [32]byte
	for i := 0; i < 32; i += 8 {
		v := g.r.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return g.drew(hex.EncodeToString(b[:]), 256)
}

func (g *gen) sha() string { return "sha256:" + g.hex64() }

// hexN returns n hex digits.
func (g *gen) hexN(n int) string {
	b := make([]byte, (n+1)/2)
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	return g.drew(hex.EncodeToString(b)[:n], 4*float64(n))
}

// uuid returns a random (version 4) UUID, the form of Kubernetes metadata.uid.
func (g *gen) uuid() string {
	var b [16]byte
	hi, lo := g.r.Uint64(), g.r.Uint64()
	for j := 0; j < 8; j++ {
		b[j] = byte(hi >> (8 * j))
		b[8+j] = byte(lo >> (8 * j))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return g.drew(h[0:8]+"-"+h[8:12]+"-"+h[12:16]+"-"+h[16:20]+"-"+h[20:32], 122)
}

func (g *gen) intn(n int) int {
	if n <= 0 {
		return 0
	}
	return g.r.IntN(n)
}

// between returns an int in [lo, hi].
func (g *gen) between(lo, hi int) int { return lo + g.intn(hi-lo+1) }

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func (g *gen) float() float64 { return g.r.Float64() }

func pick[T any](g *gen, v []T) T { return v[g.intn(len(v))] }

// k8sAlphanums is the alphabet of k8s.io/apimachinery/pkg/util/rand: no vowels
// and no look-alike digits, so generated names never spell words.
const k8sAlphanums = "bcdfghjklmnpqrstvwxz2456789"

// k8sSuffix returns an n-character generateName suffix (pods: 5).
func (g *gen) k8sSuffix(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = k8sAlphanums[g.intn(len(k8sAlphanums))]
	}
	return g.drew(string(b), float64(n)*math.Log2(float64(len(k8sAlphanums))))
}

// podTemplateHash mirrors the Deployment controller: an FNV-32a hash of the
// pod template, printed in decimal and passed through rand.SafeEncodeString.
func podTemplateHash(template string) string {
	h := fnv.New32a()
	h.Write([]byte(template))
	dec := strconv.FormatUint(uint64(h.Sum32()), 10)
	b := []byte(dec)
	for i, c := range b {
		b[i] = k8sAlphanums[int(c)%len(k8sAlphanums)]
	}
	return string(b)
}

// dockerMAC derives the MAC address Docker (before 26.0) gives an endpoint
// from its IPv4 address.
func dockerMAC(ip [4]byte) string {
	return fmt.Sprintf("02:42:%02x:%02x:%02x:%02x", ip[0], ip[1], ip[2], ip[3])
}

func ipString(ip [4]byte) string {
	return strconv.Itoa(int(ip[0])) + "." + strconv.Itoa(int(ip[1])) + "." + strconv.Itoa(int(ip[2])) + "." + strconv.Itoa(int(ip[3]))
}
