using DhtPs.Core.Ring;
using DhtPs.Core.Transfer;

namespace DhtPs.Core.Peer;

/// <summary>SPEC's mission: a peer that leaves gracefully hands its files to its successor, which owns their keys next.</summary>
public sealed partial class PeerNode
{
    /// <summary>
    /// Streams every stored file to the first successor and deletes the local copy once the successor has confirmed
    /// a verified copy. A file that cannot be handed over stays here and is reported; the departure goes on.
    /// </summary>
    private async Task HandOverFilesAsync()
    {
        if (!MayHoldFiles)
            return; // Nothing to hand over: not even a hop to the logical thread, so a departure without files stays on it.
        PeerContact? successor;
        try
        {
            successor = await Call(() => _status is PeerStatus.Running ? _successors.FirstOrDefault()?.Contact : null, CancellationToken.None)
                .WaitAsync(_options.RequestTimeout, Time).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or DhtFileException)
        {
            return; // Stopping at the same moment: nothing can be handed over.
        }
        if (successor is null || successor.Id == Id)
            return;
        foreach (var file in Files.List())
        {
            try
            {
                await using (var content = Files.Open(file.Name))
                    await UploadAsync(successor, new TransferHeader(file.Name, file.Length, file.Sha256), content, handOff: true, progress: null, CancellationToken.None).ConfigureAwait(false);
                Files.Delete(file.Name);
                Run(() => Raise(DhtEventKind.FileHandedOver, $"File {file.Name} handed over to Peer {successor.Id}", successor.Id));
            }
            catch (Exception e) when (e is DhtFileException or IOException)
            {
                Run(() => Raise(DhtEventKind.FileTransferFailed, $"File {file.Name} could not be handed over to Peer {successor.Id}: {e.Message}", successor.Id));
            }
        }
    }
}
