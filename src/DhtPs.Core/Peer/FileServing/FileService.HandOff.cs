using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Core.Peer.FileServing;

/// <summary>
/// SPEC's mission: a peer that leaves gracefully hands its files to its successor, which owns their keys next; the same
/// upload gives a newcomer the files whose keys it takes over (<see cref="HandleTakeOverRequest"/>).
/// </summary>
internal sealed partial class FileService
{
    /// <summary>
    /// Streams every stored file to the first successor and deletes the local copy once the successor has confirmed
    /// a verified copy. A file that cannot be handed off stays here and is reported; the departure goes on.
    /// </summary>
    public async Task HandOffFilesAsync()
    {
        if (!MayHoldFiles)
            return; // Nothing to hand over: not even a hop to the logical thread, so a departure without files stays on it.
        PeerContact? successor;
        IReadOnlyList<string> names;
        try
        {
            (successor, names) = await Call(() => (_context.Status is PeerStatus.Running ? _neighborhood.FirstSuccessor : null, FilesToHandOff()), CancellationToken.None)
                .WaitAsync(_options.RequestTimeout, _context.Time).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or DhtFileException)
        {
            return; // Stopping at the same moment: nothing can be handed off.
        }
        if (successor is null || successor.Id == Self.Id)
            return;
        await HandOffAsync(successor, names, UploadPurpose.HandOff).ConfigureAwait(false);
    }

    /// <summary>
    /// Every file with one copy; with replicas only the files this peer owns, which its first successor owns next (it holds
    /// copies already: the hand-off covers a copy not yet made). The copies of other ranges are their owners' to re-make.
    /// </summary>
    private IReadOnlyList<string> FilesToHandOff() =>
        Replicates ? [.. Files.Names().Where(name => Owns(FileKey.Of(name, Space)))] : Files.Names();

    /// <summary>
    /// Off the logical thread: uploads each named file to <paramref name="to"/> and deletes it here once <paramref name="to"/>
    /// has confirmed a verified copy. A file that cannot be handed off stays here and is reported.
    /// </summary>
    private async Task HandOffAsync(PeerContact to, IEnumerable<string> names, UploadPurpose purpose)
    {
        foreach (var name in names)
        {
            try
            {
                if (await SendHeldCopyAsync(to, name, purpose).ConfigureAwait(false) is not { } sent)
                    continue; // Gone since it was listed: nothing left to hand over.
                // A successor that gave a newcomer its files stays their first holder after it; held already, the copy here is not needed.
                if (purpose != UploadPurpose.TakeOver || !Replicates)
                    Files.Delete(name);
                if (!sent.HeldAlready)
                    _context.Post(() => _context.Raise(DhtEventKind.FileHandedOff, $"File {name} handed off to Peer {to.Id}", to.Id));
            }
            catch (Exception e) when (e is DhtFileException or IOException)
            {
                _context.Post(() => _context.Raise(DhtEventKind.FileTransferFailed, $"File {name} could not be handed off to Peer {to.Id}: {e.Message}", to.Id));
            }
        }
    }
}
