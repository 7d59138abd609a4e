using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DhtPs.Core.Storage;

/// <summary>
/// The persistent half of a <see cref="FileStore"/>: one small JSON file per name in a reserved directory beside the data
/// files, each replaced atomically (written, flushed to disk, renamed), so a crash leaves every entry either old or new.
/// Loaded whole when the store opens; read from memory afterwards. Entries are named by a digest of the file name, so
/// a name of any allowed length fits. Writes for one name are serialised by the store (its commit lock), not here.
/// </summary>
internal sealed class FileIndex
{
    /// <summary>The index's directory inside the data directory; reserved, so no stored name can clash with it.</summary>
    public const string DirectoryName = FileName.ReservedPrefix + "index";

    private const string EntrySuffix = ".json";

    private readonly IFileSystem _fileSystem;
    private readonly string _directory;
    private readonly ConcurrentDictionary<string, FileRecord> _records = new(StringComparer.Ordinal);

    public FileIndex(IFileSystem fileSystem, string dataDirectory)
    {
        _fileSystem = fileSystem;
        _directory = Path.Combine(dataDirectory, DirectoryName);
        _fileSystem.CreateDirectory(_directory);
        foreach (var path in _fileSystem.EnumerateFiles(_directory, "*"))
        {
            if (!path.EndsWith(EntrySuffix, StringComparison.Ordinal) || Read(path) is not { } record || PathOf(record.Name) != path)
            {
                _fileSystem.Delete(path); // a write cut off before its rename, or an entry nobody can use
                continue;
            }
            _records[record.Name] = record;
            RaiseHighest(record.Version.Counter);
        }
    }

    private void RaiseHighest(long counter)
    {
        for (var seen = HighestCounter; counter > seen; seen = HighestCounter)
            if (Interlocked.CompareExchange(ref _highestCounter, counter, seen) == seen)
                return;
    }

    public FileRecord? Get(string name) => _records.GetValueOrDefault(name);

    private long _highestCounter;

    /// <summary>The highest version counter ever recorded here (since the index was opened, or in its entries then).</summary>
    public long HighestCounter => Interlocked.Read(ref _highestCounter);

    public IReadOnlyCollection<FileRecord> All => [.. _records.Values];

    /// <summary>Records <paramref name="record"/> durably, replacing the name's entry.</summary>
    public void Put(FileRecord record)
    {
        using var entry = Prepare(record);
        Install(entry);
    }

    /// <summary>
    /// The slow half of <see cref="Put"/>, which needs no lock: <paramref name="record"/> written and flushed to disk beside
    /// the entries. <see cref="Install"/> puts it in place; disposed without that, it is deleted (and after a crash, the
    /// next open deletes it).
    /// </summary>
    public PreparedEntry Prepare(FileRecord record)
    {
        var temp = Path.Combine(_directory, $"{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.tmp");
        using (var file = _fileSystem.CreateNew(temp))
        {
            JsonSerializer.Serialize(file, record, StorageJsonContext.Default.FileRecord);
            file.Flush();
            _fileSystem.FlushToDisk(file);
        }
        return new PreparedEntry(_fileSystem, record, temp);
    }

    /// <summary>The quick half: a rename, and the entry in memory.</summary>
    public void Install(PreparedEntry entry)
    {
        _fileSystem.Move(entry.TempPath, PathOf(entry.Record.Name));
        entry.Installed = true;
        _records[entry.Record.Name] = entry.Record;
        RaiseHighest(entry.Record.Version.Counter);
    }

    /// <summary>An entry on disk that is not in the index yet (<see cref="Prepare"/>).</summary>
    public sealed class PreparedEntry(IFileSystem fileSystem, FileRecord record, string tempPath) : IDisposable
    {
        public FileRecord Record => record;
        public string TempPath => tempPath;
        public bool Installed { get; set; }

        public void Dispose()
        {
            if (!Installed)
                fileSystem.Delete(tempPath);
        }
    }

    public void Remove(string name)
    {
        _records.TryRemove(name, out _);
        var path = PathOf(name);
        if (_fileSystem.FileExists(path))
            _fileSystem.Delete(path);
    }

    private string PathOf(string name) =>
        Path.Combine(_directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)).AsSpan(0, 16)) + EntrySuffix);

    private FileRecord? Read(string path)
    {
        try
        {
            using var file = _fileSystem.OpenRead(path);
            return JsonSerializer.Deserialize(file, StorageJsonContext.Default.FileRecord) is { } record && FileName.IsSafe(record.Name) && record.Sha256 is { Length: 64 }
                ? record
                : null;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FileRecord))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;
