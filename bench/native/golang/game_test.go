// Upstream's benchmark workload (codegen/benchmark.md) for our Go target: the code
// generated from upstream's game.km (package km, written by bench/native/golang.sh) with
// our runtime. Run through bench/native/golang.sh.
package kmbench

import (
	"math"
	"reflect"
	"testing"

	km "kmbench/km"

	karmem "karmem.org/golang"
)

// name is 16 characters mixing ASCII with 2- and 3-byte UTF-8.
const name = "Orc-é€ß日本Zz9αβγ!"

func monsters() *km.Monsters {
	seed := uint64(0x2545F4914F6CDD1D)
	random := func() float32 {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		return float32(seed>>40) / float32(1<<24)
	}
	ms := km.NewMonsters()
	for i := 0; i < 1000; i++ {
		var m km.Monster
		d := &m.Data
		d.Pos = km.Vec3{X: 1, Y: 2, Z: 3}
		d.Mana = int16(i)
		d.Health = int16(2 * i)
		d.Name = name
		d.Team = km.TeamAliens
		d.Color = km.ColorRed
		d.IsAlive = i%2 == 0
		d.Inventory = make([]byte, 100)
		for j := range d.Inventory {
			d.Inventory[j] = byte(i % 256)
		}
		d.Hitbox = [5]float64{4.2, 313.12, 4.02, 90, -2942.123}
		d.Status = []int32{23123, 83859, 30123123, 34123, -23111, -923, 93123, 11123}
		for j := range d.Weapons {
			d.Weapons[j].Data = km.WeaponData{
				Damage:     int32(100 + i),
				Ammo:       uint16(j),
				ClipSize:   uint8(i % 256),
				ReloadTime: 1.4232242,
				Range:      int32(i),
			}
		}
		d.Path = make([]km.Vec3, 100)
		for j := range d.Path {
			d.Path[j] = km.Vec3{X: random(), Y: float32(i), Z: float32(i*j) * 0.33}
		}
		ms.Monsters = append(ms.Monsters, m)
	}
	return &ms
}

func encode(ms *km.Monsters, w *karmem.Writer) {
	w.Reset()
	if _, err := ms.WriteAsRoot(w); err != nil {
		panic(err)
	}
}

func decode(message []byte, into *km.Monsters) {
	into.ReadAsRoot(karmem.NewReader(message))
}

func sumVec3(message []byte) km.Vec3 {
	r := karmem.NewReader(message)
	var sum km.Vec3
	ms := km.NewMonstersViewer(r, 0).Monsters(r)
	for i := range ms {
		path := ms[i].Data(r).Path(r)
		for j := range path {
			sum.X += path[j].X()
			sum.Y += path[j].Y()
			sum.Z += path[j].Z()
		}
	}
	return sum
}

func sumInventory(message []byte) uint32 {
	r := karmem.NewReader(message)
	var sum uint32
	ms := km.NewMonstersViewer(r, 0).Monsters(r)
	for i := range ms {
		for _, b := range ms[i].Data(r).Inventory(r) {
			sum += uint32(b)
		}
	}
	return sum
}

func sumStats(message []byte, w *karmem.Writer) {
	r := karmem.NewReader(message)
	var sum km.WeaponData
	ms := km.NewMonstersViewer(r, 0).Monsters(r)
	for i := range ms {
		weapons := ms[i].Data(r).Weapons()
		for j := range weapons {
			d := weapons[j].Data(r)
			sum.Damage += d.Damage()
			sum.Ammo += d.Ammo()
			sum.ClipSize += d.ClipSize()
			sum.ReloadTime += d.ReloadTime()
			sum.Range += d.Range()
		}
	}
	w.Reset()
	if _, err := sum.WriteAsRoot(w); err != nil {
		panic(err)
	}
}

func sumNative(points []km.Vec3) km.Vec3 {
	var sum km.Vec3
	for i := range points {
		sum.X += points[i].X
		sum.Y += points[i].Y
		sum.Z += points[i].Z
	}
	return sum
}

type fixture struct {
	monsters *km.Monsters
	message  []byte
	points   []km.Vec3
}

func setup(tb testing.TB) fixture {
	ms := monsters()
	w := karmem.NewWriter(0)
	encode(ms, w)
	var points []km.Vec3
	for i := range ms.Monsters {
		points = append(points, ms.Monsters[i].Data.Path...)
	}
	return fixture{ms, append([]byte(nil), w.Bytes()...), points}
}

// TestWorkload checks the operations' results and that none allocates.
func TestWorkload(t *testing.T) {
	f := setup(t)
	var decoded km.Monsters
	decode(f.message, &decoded)
	if !reflect.DeepEqual(&decoded, f.monsters) {
		t.Fatal("the decoded message differs from the encoded value")
	}
	if got, want := sumVec3(f.message), sumNative(f.points); got != want {
		t.Fatalf("sumVec3 %v, native %v", got, want)
	}
	want := uint32(0)
	for i := 0; i < 1000; i++ {
		want += uint32(i%256) * 100
	}
	if got := sumInventory(f.message); got != want {
		t.Fatalf("sumInventory %d, want %d", got, want)
	}
	w := karmem.NewWriter(len(f.message))
	stats := karmem.NewWriter(64)
	checks := map[string]func(){
		"EncodeObjectAPI": func() { encode(f.monsters, w) },
		"DecodeObjectAPI": func() { decode(f.message, &decoded) },
		"DecodeSumVec3":   func() { sumVec3(f.message) },
		"DecodeSumUint8":  func() { sumInventory(f.message) },
		"DecodeSumStats":  func() { sumStats(f.message, stats) },
	}
	for name, op := range checks {
		op()
		if n := testing.AllocsPerRun(5, op); n != 0 {
			t.Errorf("%s allocates %v times per run", name, n)
		}
	}
	var s km.WeaponData
	s.ReadAsRoot(karmem.NewReader(stats.Bytes()))
	if s.Range != 4*499500 || math.Abs(float64(s.ReloadTime)-4000*1.4232242) > 1 {
		t.Fatalf("sumStats wrote %+v", s)
	}
}

var sink interface{}

func BenchmarkEncodeObjectAPI(b *testing.B) {
	f := setup(b)
	w := karmem.NewWriter(len(f.message))
	b.SetBytes(int64(len(f.message)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		encode(f.monsters, w)
	}
}

func BenchmarkDecodeObjectAPI(b *testing.B) {
	f := setup(b)
	var decoded km.Monsters
	decode(f.message, &decoded)
	b.SetBytes(int64(len(f.message)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		decode(f.message, &decoded)
	}
}

func BenchmarkDecodeSumVec3(b *testing.B) {
	f := setup(b)
	b.ReportAllocs()
	b.ResetTimer()
	var s km.Vec3
	for i := 0; i < b.N; i++ {
		s = sumVec3(f.message)
	}
	sink = s
}

func BenchmarkDecodeSumUint8(b *testing.B) {
	f := setup(b)
	b.ReportAllocs()
	b.ResetTimer()
	var s uint32
	for i := 0; i < b.N; i++ {
		s = sumInventory(f.message)
	}
	sink = s
}

func BenchmarkDecodeSumStats(b *testing.B) {
	f := setup(b)
	w := karmem.NewWriter(64)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sumStats(f.message, w)
	}
}

// BenchmarkFloorMemcpy copies the message: the floor of any operation that touches it all.
func BenchmarkFloorMemcpy(b *testing.B) {
	f := setup(b)
	dst := make([]byte, len(f.message))
	b.SetBytes(int64(len(f.message)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		copy(dst, f.message)
	}
}

// BenchmarkFloorNativeSumVec3 is DecodeSumVec3 over a native array of the same points.
func BenchmarkFloorNativeSumVec3(b *testing.B) {
	f := setup(b)
	b.ReportAllocs()
	b.ResetTimer()
	var s km.Vec3
	for i := 0; i < b.N; i++ {
		s = sumNative(f.points)
	}
	sink = s
}
