using DhtPs.Core.Protocol;
using DhtPs.Core.Storage;

namespace DhtPs.Core.Peer.FileServing;

/// <summary>
/// Test-DhtRing's question to each member: which files, at which versions, it holds. Answered off the logical thread
/// from the index, each copy checked to be on disk still (one that went behind the index's back is not listed).
/// </summary>
internal sealed partial class FileService
{
    public void HandleStoredFilesRequest(StoredFilesRequest request, Action<Message> reply)
    {
        var mayHold = MayHoldFiles;
        _context.RunInBackground(() =>
        {
            var page = (mayHold ? Files.Records() : [])
                .Where(r => (request.After is null || string.CompareOrdinal(r.Name, request.After) > 0) && Files.Find(r.Name) is not null)
                .Take(MessageValidator.MaxReplicaEntries + 1).ToArray();
            var answer = new StoredFilesReply
            {
                Sender = Self,
                IdBits = Space.Bits,
                Files = [.. page.Take(MessageValidator.MaxReplicaEntries).Select(ReplicaEntry.Of)],
                More = page.Length > MessageValidator.MaxReplicaEntries,
                ReplicationFactor = _options.ReplicationFactor,
            };
            _context.Post(() => reply(answer));
            return Task.CompletedTask;
        });
    }
}
