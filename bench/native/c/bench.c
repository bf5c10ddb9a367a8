// The C target's benchmark: upstream Karmem's workload (codegen/benchmark.md) on
// upstream's game.km, with the code `karmem build --c` generates and our runtime.
// Built and run by bench/native/c.sh, which puts game_generated.h on the include path.
//
// Prints, per operation, the time per op (the median of 7 timed batches of ~0.25 s each),
// the allocations per op (malloc/realloc calls, counted by wrapping them) and the ratio to
// two floors measured in the same run: a memcpy of the encoded message and a plain loop
// summing the same floats from a native array.

#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// Count every allocation the generated code and the runtime make.
static uint64_t bench_allocations = 0;

static void *bench_malloc(size_t size) {
    bench_allocations++;
    return malloc(size);
}

static void *bench_realloc(void *pointer, size_t size) {
    bench_allocations++;
    return realloc(pointer, size);
}

#define malloc(size) bench_malloc(size)
#define realloc(pointer, size) bench_realloc(pointer, size)
#include "game_generated.h"
#undef malloc
#undef realloc

#define MONSTERS 1000
#define PATH 100
#define INVENTORY 100

// 16 characters mixing ASCII with 2- and 3-byte UTF-8 characters (22 bytes).
static const char NAME[] = "Orc \xc3\xa9\xe2\x82\xac Gr\xc3\xbcnt \xe2\x9c\x93ok";

static volatile float sink_float;
static volatile uint32_t sink_u32;
static volatile uint8_t sink_byte;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
}

// xorshift32 with a fixed seed: the Path X values in [0, 1).
static uint32_t rng_state = 0x2545F491u;

static float next_unit(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return (float) (rng_state >> 8) / 16777216.0f;
}

// Storage of the native message (the generated structs point into it).
static Monster monsters[MONSTERS];
static uint8_t names[MONSTERS][sizeof(NAME) - 1];
static uint8_t inventories[MONSTERS][INVENTORY];
static int32_t statuses[MONSTERS][8];
static Vec3 paths[MONSTERS][PATH];

static Monsters build(void) {
    static const double hitbox[5] = {4.2, 313.12, 4.02, 90, -2942.123};
    static const int32_t status[8] = {23123, 83859, 30123123, 34123, -23111, -923, 93123, 11123};
    for (uint32_t i = 0; i < MONSTERS; i++) {
        Monster m = NewMonster();
        MonsterData *d = &m.Data;
        d->Pos.X = 1;
        d->Pos.Y = 2;
        d->Pos.Z = 3;
        d->Mana = (int16_t) i;
        d->Health = (int16_t) (2 * i);
        memcpy(names[i], NAME, sizeof(NAME) - 1);
        d->Name = names[i];
        d->_Name_len = d->_Name_cap = sizeof(NAME) - 1;
        d->Team = EnumTeamAliens;
        d->Color = EnumColorRed;
        d->IsAlive = i % 2 == 0;
        memset(inventories[i], (int) (i % 256), INVENTORY);
        d->Inventory = inventories[i];
        d->_Inventory_len = d->_Inventory_cap = INVENTORY;
        memcpy(d->Hitbox, hitbox, sizeof(hitbox));
        memcpy(statuses[i], status, sizeof(status));
        d->Status = statuses[i];
        d->_Status_len = d->_Status_cap = 8;
        for (uint32_t j = 0; j < 4; j++) {
            WeaponData *w = &d->Weapons[j].Data;
            w->Damage = (int32_t) (100 + i);
            w->Ammo = (uint16_t) j;
            w->ClipSize = (uint8_t) (i % 256);
            w->ReloadTime = 1.4232242f;
            w->Range = (int32_t) i;
        }
        for (uint32_t j = 0; j < PATH; j++) {
            paths[i][j].X = next_unit();
            paths[i][j].Y = (float) i;
            paths[i][j].Z = (float) i * (float) j * 0.33f;
        }
        d->Path = paths[i];
        d->_Path_len = d->_Path_cap = PATH;
        monsters[i] = m;
    }
    Monsters all = NewMonsters();
    all.Monsters = monsters;
    all._Monsters_len = all._Monsters_cap = MONSTERS;
    return all;
}

// The workload's state.
static Monsters native;
static KarmemWriter writer;
static KarmemWriter stats_writer;
static uint8_t *message;
static uint32_t message_size;
static KarmemReader reader;
static Monsters decoded;
static uint8_t *copy;

static void encode_object_api(void) {
    KarmemWriterReset(&writer);
    if (MonstersWriteAsRoot(&native, &writer) == 0xFFFFFFFF) {
        abort();
    }
}

static void decode_object_api(void) {
    MonstersReadAsRoot(&decoded, &reader);
}

static void decode_sum_vec3(void) {
    float sum = 0;
    MonstersViewer *root = NewMonstersViewer(&reader, 0);
    MonsterViewer *list = MonstersViewer_Monsters(root, &reader);
    uint32_t count = MonstersViewer_MonstersLength(root, &reader);
    for (uint32_t i = 0; i < count; i++) {
        MonsterDataViewer *data = MonsterViewer_Data(&list[i], &reader);
        Vec3Viewer *path = MonsterDataViewer_Path(data, &reader);
        uint32_t points = MonsterDataViewer_PathLength(data, &reader);
        for (uint32_t j = 0; j < points; j++) {
            sum += Vec3Viewer_X(&path[j]) + Vec3Viewer_Y(&path[j]) + Vec3Viewer_Z(&path[j]);
        }
    }
    sink_float = sum;
}

static void decode_sum_uint8(void) {
    uint32_t sum = 0;
    MonstersViewer *root = NewMonstersViewer(&reader, 0);
    MonsterViewer *list = MonstersViewer_Monsters(root, &reader);
    uint32_t count = MonstersViewer_MonstersLength(root, &reader);
    for (uint32_t i = 0; i < count; i++) {
        MonsterDataViewer *data = MonsterViewer_Data(&list[i], &reader);
        uint8_t *inventory = MonsterDataViewer_Inventory(data, &reader);
        uint32_t n = MonsterDataViewer_InventoryLength(data, &reader);
        for (uint32_t j = 0; j < n; j++) {
            sum += inventory[j];
        }
    }
    sink_u32 = sum;
}

static void decode_sum_stats(void) {
    WeaponData sum = NewWeaponData();
    MonstersViewer *root = NewMonstersViewer(&reader, 0);
    MonsterViewer *list = MonstersViewer_Monsters(root, &reader);
    uint32_t count = MonstersViewer_MonstersLength(root, &reader);
    for (uint32_t i = 0; i < count; i++) {
        MonsterDataViewer *data = MonsterViewer_Data(&list[i], &reader);
        WeaponViewer *weapons = MonsterDataViewer_Weapons(data);
        uint32_t n = MonsterDataViewer_WeaponsLength(data);
        for (uint32_t j = 0; j < n; j++) {
            WeaponDataViewer *w = WeaponViewer_Data(&weapons[j], &reader);
            sum.Damage += WeaponDataViewer_Damage(w);
            sum.Ammo = (uint16_t) (sum.Ammo + WeaponDataViewer_Ammo(w));
            sum.ClipSize = (uint8_t) (sum.ClipSize + WeaponDataViewer_ClipSize(w));
            sum.ReloadTime += WeaponDataViewer_ReloadTime(w);
            sum.Range += WeaponDataViewer_Range(w);
        }
    }
    KarmemWriterReset(&stats_writer);
    if (WeaponDataWriteAsRoot(&sum, &stats_writer) == 0xFFFFFFFF) {
        abort();
    }
}

static void floor_memcpy(void) {
    memcpy(copy, message, message_size);
    sink_byte = copy[message_size / 2];
}

// The same loop as DecodeSumVec3 over the native array (no viewers, no bounds checks).
static void floor_float_sum(void) {
    float sum = 0;
    for (uint32_t i = 0; i < MONSTERS; i++) {
        const uint8_t *path = (const uint8_t *) paths[i];
        for (uint32_t j = 0; j < PATH; j++) {
            float x, y, z;
            memcpy(&x, path + 12 * j, 4);
            memcpy(&y, path + 12 * j + 4, 4);
            memcpy(&z, path + 12 * j + 8, 4);
            sum += x + y + z;
        }
    }
    sink_float = sum;
}

typedef struct {
    const char *name;
    void (*op)(void);
    double ns;
    double allocations;
} Bench;

static void measure(Bench *b) {
    // Warm up and calibrate to ~0.25 s per batch.
    uint64_t iterations = 1;
    for (;;) {
        double start = now();
        for (uint64_t k = 0; k < iterations; k++) {
            b->op();
        }
        double elapsed = now() - start;
        if (elapsed > 0.05) {
            iterations = (uint64_t) ((double) iterations * 0.25 / elapsed) + 1;
            break;
        }
        iterations *= 2;
    }
    double batches[7];
    uint64_t allocations = bench_allocations;
    for (int batch = 0; batch < 7; batch++) {
        double start = now();
        for (uint64_t k = 0; k < iterations; k++) {
            b->op();
        }
        batches[batch] = (now() - start) * 1e9 / (double) iterations;
    }
    b->allocations = (double) (bench_allocations - allocations) / (7.0 * (double) iterations);
    // Median of the batches.
    for (int i = 1; i < 7; i++) {
        for (int j = i; j > 0 && batches[j] < batches[j - 1]; j--) {
            double t = batches[j];
            batches[j] = batches[j - 1];
            batches[j - 1] = t;
        }
    }
    b->ns = batches[3];
}

int main(void) {
    native = build();
    writer = KarmemNewWriter(1 << 20);
    stats_writer = KarmemNewWriter(64);
    encode_object_api();
    message_size = writer.length;
    message = (uint8_t *) malloc(message_size);
    copy = (uint8_t *) malloc(message_size);
    if (message == NULL || copy == NULL) {
        return 1;
    }
    memcpy(message, writer.memory, message_size);
    reader = KarmemNewReader(message, message_size);
    decoded = NewMonsters();
    decode_object_api();

    // The decoded value must equal the native one where it is easy to check.
    if (decoded._Monsters_len != MONSTERS ||
        decoded.Monsters[7].Data._Path_len != PATH ||
        decoded.Monsters[7].Data.Path[9].Z != native.Monsters[7].Data.Path[9].Z ||
        memcmp(decoded.Monsters[3].Data.Name, NAME, sizeof(NAME) - 1) != 0) {
        fprintf(stderr, "decoded value differs\n");
        return 1;
    }

    Bench benches[] = {
        {"EncodeObjectAPI", encode_object_api, 0, 0},
        {"DecodeObjectAPI", decode_object_api, 0, 0},
        {"DecodeSumVec3", decode_sum_vec3, 0, 0},
        {"DecodeSumUint8", decode_sum_uint8, 0, 0},
        {"DecodeSumStats", decode_sum_stats, 0, 0},
        {"floor: memcpy of the message", floor_memcpy, 0, 0},
        {"floor: native float sum", floor_float_sum, 0, 0},
    };
    size_t count = sizeof(benches) / sizeof(benches[0]);
    for (size_t i = 0; i < count; i++) {
        measure(&benches[i]);
    }
    double memcpy_ns = benches[5].ns;
    double sum_ns = benches[6].ns;
    printf("message: %" PRIu32 " bytes (%d monsters)\n\n", message_size, MONSTERS);
    printf("| operation | time per op | allocations per op | x memcpy floor | x float-sum floor |\n");
    printf("|---|---|---|---|---|\n");
    for (size_t i = 0; i < count; i++) {
        printf("| %s | %.1f us | %.0f | %.2f | %.2f |\n", benches[i].name, benches[i].ns / 1000.0,
               benches[i].allocations, benches[i].ns / memcpy_ns, benches[i].ns / sum_ns);
    }
    MonstersFree(&decoded);
    KarmemWriterFree(&writer);
    KarmemWriterFree(&stats_writer);
    free(message);
    free(copy);
    return 0;
}
